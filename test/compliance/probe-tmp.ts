import { synthesize } from '../support/synth';
const t0 = Date.now();
for (const overrides of [{}, { profile: 'sandbox' as const }, { phiBucketNames: ['example-phi-a', 'example-phi-b'] }]) {
  const r = synthesize(overrides);
  console.log(JSON.stringify(overrides), r.nagFindings.length, Date.now() - t0);
  for (const f of r.nagFindings) console.log('  ', f.rule, f.path, f.severity);
}

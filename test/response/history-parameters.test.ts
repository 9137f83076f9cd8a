import { historyQueryParameters, sqlStringLiteral } from '../../src/response/history-parameters';
import type { Incident } from '../../src/response/types';

describe('sqlStringLiteral', () => {
  it.each([
    ['plain', 'arn:aws:iam::111122223333:user/dana', "'arn:aws:iam::111122223333:user/dana'"],
    ['one quote', "o'brien", "'o''brien'"],
    ['closing attempt', "x'; DROP TABLE t;--", "'x''; DROP TABLE t;--'"],
    ['empty', '', "''"],
    ['newline kept', 'a\nb', "'a\nb'"],
  ])('%s', (_name, value, expected) => {
    expect(sqlStringLiteral(value)).toBe(expected);
  });
});

describe('historyQueryParameters', () => {
  const base = {
    openedAt: '2025-03-01T10:00:05.000Z',
    principal: {
      key: 'arn:aws:iam::111122223333:role/clinician',
      type: 'AssumedRole',
      arn: "arn:aws:sts::111122223333:assumed-role/clinician/o'brien",
      roleArn: 'arn:aws:iam::111122223333:role/apps/clinician',
      serviceLinked: false,
      identityCenter: false,
      crossAccount: false,
    },
  } as unknown as Incident;

  it('uses the role as issuer of a session', () => {
    expect(historyQueryParameters(base)).toEqual([
      "'2025-03-01T10:00:05.000Z'",
      "'arn:aws:sts::111122223333:assumed-role/clinician/o''brien'",
      "'arn:aws:iam::111122223333:role/apps/clinician'",
    ]);
  });

  it('uses the principal without a role', () => {
    const user = {
      ...base,
      principal: {
        ...base.principal,
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/dana',
        roleArn: undefined,
      },
    } as Incident;
    expect(historyQueryParameters(user).slice(1)).toEqual([
      "'arn:aws:iam::111122223333:user/dana'",
      "'arn:aws:iam::111122223333:user/dana'",
    ]);
  });
});

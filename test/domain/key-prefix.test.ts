import { keyPrefix } from '../../src/domain/key-prefix';

describe('keyPrefix', () => {
  it.each([
    ['patients/MRN-1/notes/visit.json', 2, 'phi/patients/MRN-1/'],
    ['patients/MRN-1/visit.json', 2, 'phi/patients/MRN-1/'],
    ['patients/visit.json', 2, 'phi/patients/'],
    ['visit.json', 2, 'phi/'],
    ['', 2, 'phi/'],
    ['patients//MRN-1/visit.json', 2, 'phi/patients/MRN-1/'],
    ['patients/MRN-1/visit.json', 1, 'phi/patients/'],
    ['patients/', 2, 'phi/patients/'],
  ])('%s at depth %i gives %s', (key, depth, expected) => {
    expect(keyPrefix('phi', key, depth)).toBe(expected);
  });
});

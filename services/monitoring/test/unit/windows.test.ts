import { parseWindow, parseWindows } from '../../src/domain/windows';

describe('windows', () => {
  test('reads minutes, hours and days', () => {
    expect(parseWindows('1h,1d,7d')).toEqual([{ name: '1h', ms: 3_600_000 }, { name: '1d', ms: 86_400_000 }, { name: '7d', ms: 604_800_000 }]);
    expect(parseWindow('30m').ms).toBe(1_800_000);
  });

  test('drops a window given twice under another name', () => {
    expect(parseWindows('24h,1d').map((w) => w.name)).toEqual(['24h']);
  });

  test.each(['', '0d', '7', '1w', '-1h', '400d'])('refuses %p', (text) => {
    expect(() => parseWindow(text)).toThrow(expect.objectContaining({ code: 'VIGIL_VALIDATION' }));
  });
});

import { describe, expect, it } from 'vitest';
import { colorEnabled, palette } from './colors.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colorEnabled', () => {
  it('colors a terminal and not a pipe', () => {
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(pipe, {})).toBe(false);
  });

  it('honours NO_COLOR when it is set and not empty', () => {
    expect(colorEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: '' })).toBe(true);
  });

  it('lets FORCE_COLOR turn colors on into a pipe, and 0 or false turn them off', () => {
    expect(colorEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('gives FORCE_COLOR precedence over NO_COLOR, as Node does', () => {
    expect(colorEnabled(tty, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
  });

  it('does not color a dumb terminal', () => {
    expect(colorEnabled(tty, { TERM: 'dumb' })).toBe(false);
  });
});

describe('palette', () => {
  it('wraps text in SGR codes when enabled and returns it unchanged when not', () => {
    expect(palette(true).green('x')).toBe('\x1b[32mx\x1b[39m');
    expect(palette(false).green('x')).toBe('x');
  });
});

// Each platform's branch of the lab's run path, checked here whatever this machine runs.
import { describe, expect, it } from 'vitest';
import { defaultLabsRoot, nodeScript, pauseUnsupported, systemShell, treeKillCommand } from './platform';

describe('platform branches', () => {
  it('keeps labs under each platform\'s application data folder', () => {
    expect(defaultLabsRoot('linux', {}, '/home/ada')).toBe('/home/ada/.config/zookeeper-lab/labs');
    expect(defaultLabsRoot('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ada')).toBe('/xdg/zookeeper-lab/labs');
    expect(defaultLabsRoot('darwin', { XDG_CONFIG_HOME: '/xdg' }, '/Users/ada')).toBe('/Users/ada/Library/Application Support/zookeeper-lab/labs');
    expect(defaultLabsRoot('win32', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Roaming\\zookeeper-lab\\labs');
    expect(defaultLabsRoot('win32', {}, 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Roaming\\zookeeper-lab\\labs');
  });

  it('opens the platform\'s shell in a Shell terminal', () => {
    expect(systemShell('linux', { SHELL: '/bin/zsh' })).toBe('/bin/zsh');
    expect(systemShell('darwin', {})).toBe('/bin/sh');
    expect(systemShell('win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe', SHELL: '/bin/bash' })).toBe('C:\\Windows\\system32\\cmd.exe');
    expect(systemShell('win32', {})).toBe('cmd.exe');
  });

  it('turns Pause off where SIGSTOP does not exist, and says why', () => {
    expect(pauseUnsupported('linux')).toBeNull();
    expect(pauseUnsupported('darwin')).toBeNull();
    expect(pauseUnsupported('win32')).toMatch(/Windows has no SIGSTOP.*Pause and Resume are off/);
  });

  it('kills a process tree with taskkill on Windows, and by process group elsewhere', () => {
    expect(treeKillCommand('win32', 4242, 'SIGKILL')).toEqual(['taskkill', ['/PID', '4242', '/T', '/F']]);
    expect(treeKillCommand('win32', 4242, 'SIGTERM')).toEqual(['taskkill', ['/PID', '4242', '/T']]);
    expect(treeKillCommand('linux', 4242, 'SIGKILL')).toBeNull();
    expect(treeKillCommand('darwin', 4242, 'SIGTERM')).toBeNull();
  });

  it('runs a Node script with Node itself, no shell in between', () => {
    const s = nodeScript('/app/dist/lab/follow-log.js', ['/lab/node1/server.log', '500']);
    expect(s.file).toBe(process.execPath);
    expect(s.args).toEqual(['/app/dist/lab/follow-log.js', '/lab/node1/server.log', '500']);
    expect(s.env).toEqual({});
  });
});

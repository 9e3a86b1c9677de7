// A vitest reporter for scripts/test.mjs: writes every test's outcome, with the reason of each
// skip and the first line of each failure, to the JSON file named by ZK_LAB_TEST_SUMMARY.
//
// A test counts as failed when it failed, and also when it never ran because a hook of a suite
// around it failed (vitest then marks it skipped; its suite carries the error). A skip's reason
// is its note (ctx.skip(note)) or its meta.skipReason (test/support/needs.ts).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const ROOT = process.cwd();

function firstLine(error) {
  const text = String(error?.message ?? error ?? '').trim();
  return text.split('\n')[0] || 'failed';
}

/** A suite that failed with errors of its own (a hook threw), not only because a test in it failed. */
function broke(suite) {
  return suite.result?.state === 'fail' && (suite.result.errors?.length ?? 0) > 0;
}

function collect(task, file, ancestors, out) {
  if (task.type === 'suite') {
    const chain = task === file ? [] : [...ancestors, task];
    const before = out.length;
    for (const child of task.tasks ?? []) collect(child, file, chain, out);
    // A hook that threw after the tests ran (afterAll) fails the suite, not a test: count it.
    if (task !== file && broke(task) && !out.slice(before).some((t) => t.state === 'failed')) {
      out.push({ file: relative(ROOT, file.filepath), name: `${chain.map((s) => s.name).join(' > ')} (a hook of the suite)`, state: 'failed', reason: firstLine(task.result.errors[0]) });
    }
    return;
  }
  const name = [...ancestors.map((s) => s.name), task.name].join(' > ');
  const where = relative(ROOT, file.filepath);
  const state = task.result?.state;
  const meta = task.meta ?? {};
  if (state === 'pass') {
    out.push({ file: where, name, state: 'passed' });
  } else if (state === 'fail') {
    out.push({ file: where, name, state: 'failed', reason: meta.missingInCi ?? firstLine(task.result.errors?.[0]) });
  } else {
    // Not run: skipped on purpose, or left out because a suite around it failed.
    const failedSuite = [...ancestors].reverse().find(broke) ?? (broke(file) ? file : null);
    if (failedSuite && task.mode !== 'todo' && !meta.skipReason) {
      const what = failedSuite === file ? 'its file' : `its suite "${failedSuite.name}"`;
      out.push({ file: where, name, state: 'failed', reason: meta.missingInCi ?? `did not run: ${what} failed: ${firstLine(failedSuite.result?.errors?.[0])}` });
    } else {
      const reason = task.result?.note ?? meta.skipReason ?? (task.mode === 'todo' ? 'todo' : null);
      out.push({ file: where, name, state: 'skipped', reason });
    }
  }
}

export default class TestSummaryReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    const path = process.env.ZK_LAB_TEST_SUMMARY;
    if (!path) return;
    const tests = [];
    for (const mod of testModules) {
      const file = mod.task;
      const before = tests.length;
      collect(file, file, [], tests);
      // A file that failed to load (or failed outside any test) and reported no failed test.
      const own = tests.slice(before);
      if (file.result?.state === 'fail' && !own.some((t) => t.state === 'failed')) {
        tests.push({ file: relative(ROOT, file.filepath), name: '(the file itself)', state: 'failed', reason: firstLine(file.result.errors?.[0]) });
      }
    }
    for (const e of unhandledErrors ?? []) tests.push({ file: '', name: '(an unhandled error)', state: 'failed', reason: firstLine(e) });
    writeFileSync(path, JSON.stringify({ tests }));
  }
}

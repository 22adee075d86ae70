// test/bench.d/15_reports_chdb.js: drives embedded ClickHouse (chDB) for the
// report benchmark (test/bench.d/15_reports.sh, which starts it as a
// co-process).  Benchmark only: chDB is installed by that piece into a
// temporary folder and this file is never part of a test or an install.
//
// One chDB session on one data directory lives for the whole run, so
// ClickHouse keeps its caches warm between runs as the server keeps its
// shared buffers.  Commands, one per line on standard input, each answered
// by one line on standard output:
//
//   info                 "<version>\t<max_threads>"
//   exec FILE            runs the statement in FILE, discards its result: "ok"
//   out FILE OUT         runs the query in FILE, writes its result (TSV) to OUT: "ok <rows>"
//   time FILE            runs the query in FILE once, reads the whole result:
//                        "<ms> <peak_kb>"
//
// ms is the wall time of the call that runs the query and returns its
// result as a string (parsing, planning, execution and the result's
// transfer: a little more than EXPLAIN ANALYZE's execution time on the
// PostgreSQL side).  peak_kb is the growth of this process's peak resident
// memory during the call (VmHWM, reset to the current resident size just
// before it through /proc/self/clear_refs).  ClickHouse's allocator keeps
// memory freed by earlier queries and chDB keeps no query log, so this
// understates a query that reuses memory an earlier one left; the piece
// reports the largest growth over the runs.  Any failure is answered
// "error <message>".

'use strict';

const fs = require('fs');
const readline = require('readline');
const { Session } = require('chdb');

let session = null;

function statusKb(field) {
	const m = fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp('^' + field + ':\\s+(\\d+)', 'm'));
	return m ? Number(m[1]) : 0;
}

function resetPeak() {
	try {
		fs.writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch (e) {
		return false;
	}
}

function handle(line) {
	const [cmd, ...args] = line.trim().split(/\s+/);
	switch (cmd) {
	case 'open':
		session = new Session(args[0]);
		return 'ok';
	case 'info':
		return session.query("SELECT version(), getSetting('max_threads')", 'TSV').trim();
	case 'exec':
		session.query(fs.readFileSync(args[0], 'utf8'), 'TSV');
		return 'ok';
	case 'out': {
		const r = session.query(fs.readFileSync(args[0], 'utf8'), 'TSV');
		fs.writeFileSync(args[1], r);
		return 'ok ' + (r === '' ? 0 : r.split('\n').length - 1);
	}
	case 'time': {
		const sql = fs.readFileSync(args[0], 'utf8');
		const canReset = resetPeak();
		const before = statusKb(canReset ? 'VmRSS' : 'VmHWM');
		const t0 = process.hrtime.bigint();
		const r = session.query(sql, 'TSV');
		// the result is read: every byte of it is looked at
		let rows = 0;
		for (let i = 0; i < r.length; i++)
			if (r.charCodeAt(i) === 10)
				rows++;
		const t1 = process.hrtime.bigint();
		const peak = statusKb('VmHWM') - before;
		if (rows === 0)
			throw new Error('query returned no rows');
		return (Number(t1 - t0) / 1e6).toFixed(1) + ' ' + peak;
	}
	default:
		throw new Error('unknown command "' + cmd + '"');
	}
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
	let answer;
	try {
		answer = handle(line);
	} catch (e) {
		answer = 'error ' + String(e && e.message ? e.message : e).replace(/\s+/g, ' ');
	}
	process.stdout.write(answer + '\n');
});
rl.on('close', () => {
	if (session)
		session.close();
	process.exit(0);
});

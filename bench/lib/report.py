#!/usr/bin/env python3
"""Prints bench/run's table from its records file (one record a line: a section name, then key=value words quoted
for the shell). Medians over the repetitions; ratios are taken per repetition (each app run against the ceiling run
just before it, so the two saw the same machine) and then their median is printed.

  report.py RECORDS_FILE
"""
import json
import shlex
import statistics
import sys
from collections import defaultdict

CLK_TCK = 100

# Whole-call webhooks/s (callsim burst mode, median of the bursts) of the full bench run at commit 481fcd4,
# 2026-12-02, before issue 16; the issue's goal is twice this.
WHOLE_CALL_WEBHOOKS_BEFORE_ISSUE_16 = 847


def load(path):
    records = defaultdict(list)
    for line in open(path):
        words = shlex.split(line)
        if not words:
            continue
        record = {}
        for word in words[1:]:
            key, _, value = word.partition("=")
            record[key] = value
        records[words[0]].append(record)
    return records


def num(value, default=0.0):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def spread(values, fmt="{:.0f}"):
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return ""
    return "(" + fmt.format(min(values)) + "–" + fmt.format(max(values)) + ")"


def verdict(ok):
    return "PASS" if ok else "FAIL"


def table(rows, header):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    out = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(header, widths)))]
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(out)


def status_counters(text):
    counters = {}
    for word in (text or "").split():
        key, _, value = word.partition("=")
        counters[key] = num(value)
    return counters


# The fields of a cpu_snapshot (bench/lib/common.sh), in clock ticks; "feed" (the feed pool) and "bare" (the bare
# program's processes) are missing in records written before they existed.
SNAPSHOT_FIELDS = ("nginx", "workers", "mariadb", "busy", "total", "feed", "bare")


def cpu_deltas(x):
    """Ticks each component used during one run (dict by SNAPSHOT_FIELDS), or None without both snapshots."""
    b, a = x.get("cpu_before", "").split(), x.get("cpu_after", "").split()
    if len(b) < 5 or len(a) < 5:
        return None
    return {name: num(a[i]) - num(b[i]) if i < min(len(a), len(b)) else 0.0 for i, name in enumerate(SNAPSHOT_FIELDS)}


def cpu_per_request(x):
    """(nginx, feed pool, mariadb) CPU µs per request of one feed run, from its cpu_before/cpu_after snapshots."""
    d = cpu_deltas(x)
    req = num(x.get("requests"))
    if not d or req <= 0:
        return None
    return [d[name] / CLK_TCK * 1e6 / req for name in ("nginx", "feed", "mariadb")]


def errors_of(x):
    return int(num(x.get("non2xx")) + num(x.get("sockerr")) + num(x.get("timeouts")))


def main():
    r = load(sys.argv[1])
    meta = {}
    for m in r["meta"]:
        meta.update(m)
    lines = []
    say = lines.append
    checks = []  # (target text, figure text, ok)
    goals = {}  # issue 16's goals by letter (a–d), printed first under TARGETS; then the moonshot
    moonshot = []
    floor_ok = {}  # conns -> (the bare program's run is a valid floor: no errors, a row per 2xx; why not)

    say(f"Switchboard benchmark — {meta.get('date')} — {meta.get('mode')} mode, commit {meta.get('commit')}"
        + (f" (+{meta['dirty']} uncommitted files under fcgi/)" if meta.get("dirty", "0") != "0" else ""))
    say(f"Machine: {meta.get('nproc')} × {meta.get('cpu')}, {meta.get('mem_total_mb')} MB, kernel {meta.get('kernel')}; "
        f"load average {meta.get('load_before')} before, {meta.get('load_after')} after; "
        f"bench took {meta.get('elapsed_s')} s")
    say(f"Stack: nginx {meta.get('nginx')} (2 workers, TLS, HTTP/1.1 keep-alive) → FastCGI pools of "
        f"{meta.get('workers')} webhook + {meta.get('feed_workers', '?')} feed workers "
        f"(spawn-fcgi + multiwatch each) → MariaDB {meta.get('mariadb')} (buffer pool {meta.get('buffer_pool')}, "
        f"flush_log_at_trx_commit={meta.get('flush_log_at_trx_commit')}); wrk -t{meta.get('wrk_threads')} on the same cores.")
    say(f"Each figure: median of {meta.get('reps')} runs of {meta.get('seconds')} s (feed: {meta.get('feed_reps')} of "
        f"{meta.get('feed_seconds')} s), min–max in brackets. nginx limit_req on the webhooks: "
        f"{meta.get('limit_req_original')} (lifted for the bench if any: all load comes from one address).")
    say("")

    # ---- webhooks --------------------------------------------------------------------------------------------------
    say("WEBHOOKS — signed POST /twilio/voice, every request a new CallSid: signature, event insert, call upsert, TwiML;")
    say("  beside nginx answering the same bytes (the ceiling) and a bare C FastCGI program doing one prepared upsert")
    say("  (the floor: bench/bare/bare_webhook.c, no signature, the same POSTs through the same nginx)")
    say("  target (issue 16): req/s ≥ the bare program's, p99 ≤ 15 ms, server CPU (nginx + workers + MariaDB) ≤ 250 µs "
        "a webhook at 32 connections; no errors, one calls row per 2xx; moonshot ≥ 0.12× the ceiling")
    by = defaultdict(list)
    for w in r["webhook"]:
        by[(w["kind"], int(w["conns"]))].append(w)
    rows = []
    cost_rows = []

    def per_rep(runs, base):
        """Ratios of runs' req/s to base's, each against the base run of the same repetition."""
        ratios = []
        for a in runs:
            b = next((b for b in base if b["rep"] == a["rep"]), None)
            if b and num(b.get("rps")) > 0:
                ratios.append(num(a.get("rps")) / num(b["rps"]))
        return ratios

    labels = (("nginx static TwiML (ceiling)", "ceiling", "ceiling"),
              ("bare C program (libfcgi + 1 prepared upsert)", "bare", "bare C"),
              ("incoming-call webhook", "app", "webhook"))
    for conns in sorted({c for _, c in by}):
        ceil, bare, app = by[("ceiling", conns)], by[("bare", conns)], by[("app", conns)]
        for label, kind, cost_label in labels:
            runs = by[(kind, conns)]
            if not runs:
                continue  # records of a bench without the bare program
            rps = [num(x.get("rps")) for x in runs]
            errors = sum(errors_of(x) for x in runs)
            row_check = ""
            if kind != "ceiling":
                notes = []
                for x in runs:
                    diff = int(num(x.get("rows")) - num(x.get("ok2xx")))
                    not_menu = int(num(x.get("not_menu")))
                    if int(num(x.get("wrapped"))):
                        notes.append("REUSED SIDS")
                    if diff < 0:
                        notes.append(f"LOST {-diff}")
                    elif diff > conns:
                        notes.append(f"+{diff}?")
                    if not_menu:
                        notes.append(f"{not_menu} fallback")
                row_check = ", ".join(notes) if notes else "ok"
                row_check += " (" + "/".join(f"{int(num(x.get('rows')))}" for x in runs) + " rows)"
            ceil_ratios = per_rep(runs, ceil) if kind != "ceiling" else []
            bare_ratios = per_rep(runs, bare) if kind == "app" else []
            p99 = med([num(x.get("p99_ms")) for x in runs])
            rows.append([label, conns, f"{med(rps):.0f} {spread(rps)}",
                         f"{med(ceil_ratios):.3f}" if kind != "ceiling" else "1",
                         (f"{med(bare_ratios):.2f} {spread(bare_ratios, '{:.2f}')}" if bare_ratios else "")
                         if kind == "app" else "1" if kind == "bare" else "",
                         f"{med([num(x.get('p50_ms')) for x in runs]):.2f}",
                         f"{p99:.2f} {spread([num(x.get('p99_ms')) for x in runs], '{:.1f}')}",
                         f"{max([num(x.get('max_ms')) for x in runs] or [0]):.1f}",
                         errors, row_check])
            lost = [x for x in runs if num(x.get("rows")) < num(x.get("ok2xx")) or num(x.get("not_menu"))
                    or int(num(x.get("wrapped")))]
            if kind == "bare":
                floor_ok[conns] = (not lost and errors == 0 and bool(runs),
                                   f"{errors} errors, rows {'ok' if not lost else 'MISMATCH'}")
            if kind == "app":
                checks.append((f"webhook errors at {conns} conns = 0", str(errors), errors == 0))
                if conns == 32:
                    valid, why = floor_ok.get(conns, (False, "no bare program run"))
                    goals["a"] = ("issue 16: webhook req/s ≥ the bare program's at 32 conns",
                                  (f"{med(bare_ratios):.2f}× ({med(rps):.0f} / "
                                   f"{med([num(x.get('rps')) for x in bare]):.0f} req/s)" if bare_ratios else "no figure")
                                  + ("" if valid else f" — floor not valid: {why}"),
                                  valid and bool(bare_ratios) and med(bare_ratios) >= 1.0)
                    goals["b"] = ("issue 16: webhook p99 ≤ 15 ms at 32 conns", f"{p99:.2f} ms", p99 <= 15)
                checks.append((f"one calls row per 2xx at {conns} conns", "ok" if not lost else "MISMATCH", not lost))
                moonshot.append((f"moonshot: webhook throughput ≥ 0.12× ceiling at {conns} conns",
                                 f"{med(ceil_ratios):.3f}×", med(ceil_ratios) >= 0.12))
            # CPU per request by component, from /proc (utime+stime) around the run; the bare program's processes
            # are its "workers".
            own = "bare" if kind == "bare" else "workers"
            per = {"nginx": [], "workers": [], "mariadb": [], "wrk": [], "busy": [], "other": []}
            for x in runs:
                d = cpu_deltas(x)
                req = num(x.get("requests"))
                if not d or req <= 0:
                    continue
                wrk = num(x.get("wrk_cpu_ticks"))
                us = lambda ticks: ticks / CLK_TCK * 1e6 / req
                per["nginx"].append(us(d["nginx"]))
                per["workers"].append(us(d[own]))
                per["mariadb"].append(us(d["mariadb"]))
                per["wrk"].append(us(wrk))
                # The feed pool (and the pool not measured) is idle here; its ticks (if any) count as "other".
                per["other"].append(us(d["busy"] - d["nginx"] - d[own] - d["mariadb"] - wrk))
                per["busy"].append(100 * d["busy"] / d["total"] if d["total"] else float("nan"))
            if per["busy"]:
                db = ""
                if kind != "ceiling":
                    per_req = defaultdict(list)
                    for x in runs:
                        s0, s1 = status_counters(x.get("db_before")), status_counters(x.get("db_after"))
                        # Requests sent, in flight at the end included: the database saw those too.
                        req = num(x.get("sent")) or num(x.get("requests"))
                        if not s0 or not s1 or req <= 0:
                            continue
                        for key in s1:
                            per_req[key].append((s1[key] - s0.get(key, 0)) / req)
                    p = lambda key: med(per_req.get(key, [float("nan")]))
                    db = (f"{p('Com_stmt_execute'):.1f} stmts + {p('Com_commit'):.1f} commit, "
                          f"{p('Innodb_data_fsyncs'):.2f} fsyncs, {p('Handler_write'):.1f} row writes + "
                          f"{p('Handler_update'):.1f} updates, {p('Innodb_row_lock_waits'):.3f} lock waits")
                    if kind == "app":
                        restarts = sum(len(set(x.get("workers_before", "").split())
                                           - set(x.get("workers_after", "").split())) for x in runs)
                        db += f"; worker restarts {restarts}"
                server = med(per["nginx"]) + med(per["workers"]) + med(per["mariadb"])
                if kind == "app" and conns == 32:
                    goals["c"] = ("issue 16: server CPU per webhook ≤ 250 µs at 32 conns (nginx + workers + MariaDB)",
                                  f"{server:.0f} µs ({med(per['nginx']):.0f} + {med(per['workers']):.0f} + "
                                  f"{med(per['mariadb']):.0f})", server <= 250)
                cost_rows.append([f"{cost_label} @{conns}",
                                  f"{med(per['busy']):.0f}%", f"{med(per['nginx']):.0f}", f"{med(per['workers']):.0f}",
                                  f"{med(per['mariadb']):.0f}", f"{server:.0f}" if kind != "ceiling" else "",
                                  f"{med(per['wrk']):.0f}", f"{med(per['other']):.0f}",
                                  f"{server + med(per['wrk']) + med(per['other']):.0f}",
                                  db])
    say(table(rows, ["", "conns", "req/s", "×ceil", "×bare", "p50 ms", "p99 ms", "max ms", "errors", "rows = 2xx?"]))
    say("  ×bare: req/s ÷ the bare program's in the same repetition (median, min–max)")
    say("")
    say("Where the CPU went (µs of CPU per request, /proc utime+stime; 'workers' = the webhook pool, for the bare")
    say("program its processes; 'server' = nginx + workers + mariadb; 'other' = everything else on the machine,")
    say("including the kernel's softirq time and other users' processes; 'busy' = share of all cores in use):")
    say(table(cost_rows, ["", "busy", "nginx", "workers", "mariadb", "server", "wrk", "other", "total",
                          "database, per request"]))
    say("")

    # ---- isolation -------------------------------------------------------------------------------------------------
    if r["isolation"]:
        iso = defaultdict(list)
        for x in r["isolation"]:
            iso[(x["kind"], x["load"])].append(x)
        conns = meta.get("isolation_connections", "32")
        say(f"ISOLATION — webhooks at {conns} connections alone; while wrk hammers the feed's deep cursor at "
            f"{meta.get('feed_load_connections')} connections (session cookie); and while, besides, "
            f"{meta.get('voicemail_loops')} loops fetch uncached voicemails from a fake Twilio slowed to "
            f"{meta.get('voicemail_delay_s')} s a download")
        say("  target: webhook p99 unchanged with the feed hammered and the voicemails fetched (here: ≤ 1.2× its p99 "
            "alone, in the same repetition), no errors, no fallback answers")
        loads = (("alone", "alone"), ("feed", "feed hammered"), ("feed+voicemail", "feed + voicemails"))
        rows, p99 = [], {}
        for cond, cond_label in loads:
            for kind, label in (("ceiling", "nginx static TwiML (ceiling)"), ("app", "incoming-call webhook")):
                runs = iso[(kind, cond)]
                if not runs:
                    continue
                ratios = []
                for a in runs if kind == "app" else []:
                    c = next((c for c in iso[("ceiling", cond)] if c["rep"] == a["rep"]), None)
                    if c and num(c.get("rps")) > 0:
                        ratios.append(num(a.get("rps")) / num(c["rps"]))
                rps = [num(x.get("rps")) for x in runs]
                p99s = [num(x.get("p99_ms")) for x in runs]
                p99[(kind, cond)] = runs
                errors = sum(errors_of(x) for x in runs)
                row_check = ""
                if kind == "app":
                    notes = []
                    for x in runs:
                        if int(num(x.get("wrapped"))):
                            notes.append("REUSED SIDS")
                        if num(x.get("rows")) < num(x.get("ok2xx")):
                            notes.append(f"LOST {int(num(x.get('ok2xx')) - num(x.get('rows')))}")
                        if int(num(x.get("not_menu"))):
                            notes.append(f"{int(num(x.get('not_menu')))} fallback")
                    row_check = ", ".join(notes) if notes else "ok"
                # Shares of all cores during the run: nginx / webhook pool / feed pool / MariaDB.
                shares = defaultdict(list)
                for x in runs:
                    d = cpu_deltas(x)
                    if d and d["total"]:
                        for name in ("busy", "nginx", "workers", "feed", "mariadb"):
                            shares[name].append(100 * d[name] / d["total"])
                share_text = (f"{med(shares['busy']):.0f}%: " + " / ".join(
                    f"{med(shares[n]):.0f}" for n in ("nginx", "workers", "feed", "mariadb"))) if shares else ""
                rows.append([f"{label}, {cond_label}", f"{med(rps):.0f} {spread(rps)}",
                             f"{med(ratios):.3f}" if kind == "app" else "1",
                             f"{med([num(x.get('p50_ms')) for x in runs]):.2f}",
                             f"{med(p99s):.2f} {spread(p99s, '{:.1f}')}",
                             f"{max([num(x.get('max_ms')) for x in runs] or [0]):.1f}", errors, row_check, share_text])
        say(table(rows, ["", "req/s", "×ceil", "p50 ms", "p99 ms", "max ms", "errors", "rows = 2xx?",
                         "cores busy: nginx/webhook pool/feed pool/db %"]))

        def p99_ratio(kind, cond):
            """Median over repetitions of p99 under COND ÷ p99 alone in the same repetition."""
            values = []
            for x in p99.get((kind, cond), []):
                y = next((y for y in p99.get((kind, "alone"), []) if y["rep"] == x["rep"]), None)
                if y and num(y.get("p99_ms")) > 0:
                    values.append(num(x.get("p99_ms")) / num(y["p99_ms"]))
            return med(values), values
        for cond, cond_label in loads[1:]:
            app_ratio, app_ratios = p99_ratio("app", cond)
            ceil_ratio, _ = p99_ratio("ceiling", cond)
            say(f"  p99 {cond_label} ÷ alone: webhook {app_ratio:.2f}× {spread(app_ratios, '{:.2f}')}, ceiling "
                f"{ceil_ratio:.2f}× (the ceiling's change is what sharing the cores costs nginx alone)")
        # The feed's own figures while it was being hammered (with the voicemails, its pool is expected to be full).
        for cond, cond_label in loads[1:]:
            feed_runs = [status_counters(x.get("feed")) for x in r["isolation"] if x["load"] == cond and x.get("feed")]
            if not feed_runs:
                continue
            say(f"  the feed meanwhile, {cond_label} (deep cursor, {meta.get('feed_load_connections')} connections, "
                f"{len(feed_runs)} runs): {med([f.get('rps', 0) for f in feed_runs]):.0f} req/s, p50 "
                f"{med([f.get('p50_ms', 0) for f in feed_runs]):.1f} ms, p99 {med([f.get('p99_ms', 0) for f in feed_runs]):.1f} ms, "
                f"{int(sum(f.get('non2xx', 0) for f in feed_runs))} non-2xx, "
                f"{int(sum(f.get('timeouts', 0) + f.get('sockerr', 0) for f in feed_runs))} socket errors/timeouts (5 s)")
        app_ratio, _ = p99_ratio("app", "feed+voicemail")
        fetches = r["voicemail"]
        downloads = int(sum(num(x.get("downloads")) for x in r["voicemail_twilio"]))
        ok = [x for x in fetches if x.get("status") == "200"]
        statuses = defaultdict(int)
        for x in fetches:
            statuses[x.get("status")] += 1
        times = [num(x.get("s")) for x in ok]
        say(f"  voicemail fetches: {len(fetches)} (" + ", ".join(f"{n} × HTTP {k}" for k, n in sorted(statuses.items()))
            + (f"; {med(times):.2f} s median, {max(times):.2f} s max" if times else "")
            + f"); the fake Twilio received {downloads} downloads of these recordings"
            + (" — every fetch went to it" if downloads >= len(fetches) and fetches else ""))
        hook_runs = iso[("app", "feed")] + iso[("app", "feed+voicemail")]
        hook_errors = sum(errors_of(x) + int(num(x.get("not_menu"))) for x in hook_runs)
        checks.append(("webhook p99 with feed + voicemails ≤ 1.2× alone", f"{app_ratio:.2f}×", app_ratio <= 1.2))
        checks.append(("webhooks with the feed busy: 0 errors, 0 fallbacks", str(hook_errors), hook_errors == 0))
        checks.append(("voicemail fetches answered 200, each from the slow fake Twilio",
                       f"{len(ok)}/{len(fetches)}, {downloads} downloads",
                       bool(fetches) and len(ok) == len(fetches) and downloads >= len(fetches)))
        say("")

    # ---- whole calls ---------------------------------------------------------------------------------------------------
    bursts = []
    for b in r["burst"]:
        try:
            bursts.append(json.loads(b.get("json") or "{}"))
        except json.JSONDecodeError:
            bursts.append({})
    if bursts:
        say(f"WHOLE CALLS — callsim burst mode, {meta.get('burst_concurrency')} concurrent calls, 4–6 webhooks each "
            "(press 1 answered / press 1 no answer → voicemail / press 2 voicemail / no input ×3)")
        say("  expected: no failed call (every TwiML valid, every callback accepted); target (issue 16): webhooks/s ≥ 2× "
            f"{WHOLE_CALL_WEBHOOKS_BEFORE_ISSUE_16} (×ref ≥ 2: the full run at commit 481fcd4, before issue 16)")
        cps = [num(b.get("calls_per_s")) for b in bursts]
        whs = [num(b.get("webhooks_per_s")) for b in bursts]
        failed = sum(int(num(b.get("failed_calls"))) for b in bursts)
        calls = sum(int(num(b.get("calls"))) for b in bursts)
        ceil32 = med([num(x.get("rps")) for x in by[("ceiling", 32)]])
        slowest = max([num(b.get("max_ms")) for b in bursts] or [0])
        say(table([[f"{calls} calls in {len(bursts)} bursts", f"{med(cps):.1f} {spread(cps, '{:.1f}')}",
                    f"{med(whs):.0f} {spread(whs)}", f"{med(whs) / WHOLE_CALL_WEBHOOKS_BEFORE_ISSUE_16:.2f}",
                    f"{med(whs) / ceil32:.3f}" if ceil32 else "",
                    f"{med([num(b.get('p50_ms')) for b in bursts]):.2f}",
                    f"{med([num(b.get('p99_ms')) for b in bursts]):.2f}", f"{slowest:.1f}", failed]],
                  ["", "calls/s", "webhooks/s", "×ref", "×ceil@32", "p50 ms", "p99 ms", "slowest ms", "failed calls"]))
        for b in bursts:
            for e in b.get("errors", [])[:3]:
                say(f"  error: {e}")
        for b in r["burst"]:
            if b.get("stderr"):
                say(f"  callsim stderr: {b['stderr'][:200]}")
        checks.append(("whole calls without errors", f"{failed} failed", failed == 0))
        ref_ratio = med(whs) / WHOLE_CALL_WEBHOOKS_BEFORE_ISSUE_16
        goals["d"] = (f"issue 16: whole-call webhooks/s ≥ 2× {WHOLE_CALL_WEBHOOKS_BEFORE_ISSUE_16} (481fcd4, before #16)",
                      f"{med(whs):.0f}/s = {ref_ratio:.2f}×", ref_ratio >= 2)
        say("")

    # ---- feed ----------------------------------------------------------------------------------------------------
    seed = r["seed"][0] if r["seed"] else {}
    info = r["feedinfo"][0] if r["feedinfo"] else {}
    seed_label = f"{int(num(seed.get('rows'))) // 1000:,}k calls" + (", quick mode" if meta.get("mode") == "quick" else "")
    say(f"FEED — GET /api/calls?limit=50 on {int(num(seed.get('rows'))):,} calls, {meta.get('feed_connections')} connections, "
        f"on the feed pool ({meta.get('feed_workers', '?')} workers)")
    say("  target: first page and deep cursor p99 ≤ 5 ms at 4 connections on 1M calls (full mode); every shape on an "
        "index, no filesort/full scan")
    say(f"  seeded {int(num(seed.get('rows'))):,} rows (+1 from the cold probe) in {seed.get('calls_s')} s "
        f"({num(seed.get('rows')) / max(num(seed.get('calls_s')), 1e-9):,.0f} rows/s), {seed.get('events')} events in "
        f"{seed.get('events_s')} s, ANALYZE {seed.get('analyze_s')} s; data {seed.get('data_mb')} MB + indexes "
        f"{seed.get('index_mb')} MB")
    say(f"  deep cursor = row {int(num(info.get('deep_offset'))):,} from the top ({info.get('deep_cursor')}); "
        f"from={info.get('from')} has {info.get('from_rows')} calls; since={info.get('since')}")
    explain = {e["name"]: e for e in r["explain"]}
    fb = defaultdict(list)
    for f in r["feed"]:
        fb[f["name"]].append(f)  # insertion order = the order bench/run measured them
    ceiling_name = next((n for n in fb if n.startswith("ceiling")), None)
    ceiling = med([num(x.get("rps")) for x in fb[ceiling_name]]) if ceiling_name else None
    rows, plan_checks, answer_checks, nginx_us = [], [], [], {}
    rows.append(["through a session (Cookie: sb_session), as the page's requests go:", "", "", "", "", "", "", "", "", ""])
    for name, runs in fb.items():
        rps = [num(x.get("rps")) for x in runs]
        p99s = [num(x.get("p99_ms")) for x in runs]
        errors = sum(errors_of(x) for x in runs)
        e = explain.get(name)
        plan = ""
        if e:
            bad = e["type"] == "ALL" or "filesort" in e.get("extra", "") or num(e.get("r_rows")) > 1000
            plan = (f"{e['type']} {e['key']}, ~{int(num(e['rows'])):,} est / {int(num(e['r_rows'])):,} read"
                    + (f", {e['extra']}" if e.get("extra") and e["extra"] != "NULL" else "")
                    + ("  ← FULL SCAN/FILESORT" if bad else ""))
            plan_checks.append((name, not bad))
        cpu = [c for c in (cpu_per_request(x) for x in runs) if c]
        cpu_text = "/".join(f"{med([c[i] for c in cpu]):.0f}" for i in range(3)) if cpu else ""
        nginx_us[name] = [c[0] for c in cpu]
        rows.append(["  " + name, f"{runs[0].get('status')}/{runs[0].get('calls')}",
                     f"{med(rps):.0f} {spread(rps)}", f"{med(rps) / ceiling:.2f}" if ceiling else "",
                     f"{med([num(x.get('p50_ms')) for x in runs]):.2f}", f"{med(p99s):.2f} {spread(p99s, '{:.1f}')}",
                     f"{max(num(x.get('max_ms')) for x in runs):.1f}", errors, cpu_text, plan])
        if name in ("first page", "deep cursor"):
            checks.append((f"feed {name} p99 ≤ 5 ms through a session ({seed_label})", f"{med(p99s):.2f} ms",
                           med(p99s) <= 5))
        if not name.startswith("ceiling"):
            answer_checks.append((name, runs[0].get("status") == "200" and errors == 0))
    say(table(rows, ["", "HTTP/calls", "req/s", "×ceil", "p50 ms", "p99 ms", "max ms", "errors",
                     "CPU µs/req nginx/feed pool/db", "plan (ANALYZE: type key, rows estimated / really read)"]))
    say("")
    bad_plans = [n for n, ok in plan_checks if not ok]
    checks.append((f"feed: all {len(plan_checks)} query shapes use an index, no filesort/full scan",
                   "all" if not bad_plans else "not: " + ", ".join(bad_plans), not bad_plans and bool(plan_checks)))
    bad_answers = [n for n, ok in answer_checks if not ok]
    checks.append((f"feed: all {len(answer_checks)} requests answer 200, 0 errors",
                   "all" if not bad_answers else "not: " + ", ".join(bad_answers), not bad_answers))

    # nginx's own CPU per feed request: the static page against the pages through the session.
    static_us = med(nginx_us.get(ceiling_name, [])) if ceiling_name else float("nan")
    if ceiling_name and static_us == static_us:
        say("NGINX CPU PER FEED REQUEST — utime+stime of nginx's worker processes (/proc/PID/stat) around each run, "
            "÷ requests")
        say("  target: through a session within 2× of the static page's")
        nrows = []
        for name in [ceiling_name, "first page", "deep cursor"]:
            values = nginx_us.get(name, [])
            if not values:
                continue
            ratio = med(values) / static_us if static_us else float("nan")
            nrows.append([("static page (ceiling)" if name == ceiling_name else name + " through the session"),
                          f"{med(values):.0f} {spread(values)}", f"{ratio:.2f}"])
            if name == "first page":
                checks.append(("nginx CPU per first page ≤ 2× the static page's", f"{ratio:.2f}× "
                               f"({med(values):.0f} / {static_us:.0f} µs)", ratio <= 2))
        say(table(nrows, ["", "nginx µs/req", "× static"]))
        if meta.get("first_page_bytes"):
            say(f"  the first page is {int(num(meta['first_page_bytes'])):,} bytes of JSON")
        say("")

    # ---- outage ----------------------------------------------------------------------------------------------------
    if r["outage"]:
        o = r["outage"][0]
        segments = r["outage_segment"]
        say("DATABASE OUTAGE — MariaDB stopped (by its pid file); webhooks at 32 connections in back-to-back segments; "
            "events go to the spool")
        say("  expected: every caller still gets the menu, no errors; after the restart the spool drains and every "
            "answered request has its row")
        rows, errors, answered = [], 0, 0
        for x in segments:
            e = int(num(x.get("non2xx")) + num(x.get("sockerr")) + num(x.get("timeouts")))
            errors += e
            answered += int(num(x.get("ok2xx")))
            rows.append([f"segment {x.get('segment')} ({num(x.get('seconds')):.0f} s)", f"{num(x.get('rps')):.0f}",
                         f"{num(x.get('p50_ms')):.2f}", f"{num(x.get('p99_ms')):.2f}", f"{num(x.get('max_ms')):.1f}",
                         e, int(num(x.get("not_menu"))), x.get("spool_lines"), x.get("spool_files")])
        say(table(rows, ["", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "non-menu 2xx", "events in spool",
                         "spool files"]))
        diff = int(num(o.get("rows")) - answered)
        say(f"  MariaDB stop took {o.get('stop_s')} s, restart {o.get('restart_s')} s; {o.get('spooled')} events in "
            f"{o.get('spool_files')} spool files; "
            + (f"drained {o.get('drain_s')} s after the restart" if o.get("drained") == "1" else
               f"NOT drained {o.get('drain_s')} s after the restart")
            + f"; then {o.get('rows')} calls rows / {o.get('events')} events for {answered} answered requests"
            + (" — match" if 0 <= diff <= 32 * max(len(segments), 1) else f" — MISMATCH ({diff:+d})"))
        checks.append(("outage: webhooks answered with the menu, 0 errors", f"{errors} errors", errors == 0))
        checks.append(("outage: spool drained, one row per 2xx", f"drained={o.get('drained')}, {diff:+d}",
                       o.get("drained") == "1" and 0 <= diff <= 32 * max(len(segments), 1)))
        say("")

    # ---- footprint -------------------------------------------------------------------------------------------------
    rest = [num(x["kb"]) / 1024 for x in r["rss"] if x["phase"] == "rest"]
    load_ = [num(x["kb"]) / 1024 for x in r["rss"] if x["phase"] == "load"]
    outage_rss = [num(x["kb"]) / 1024 for x in r["rss"] if x["phase"] == "outage"]
    feed_rss = [num(x["kb"]) / 1024 for x in r["rss_feed"] if x["phase"] == "load"]
    nginx_rest = [num(x["kb"]) / 1024 for x in r["rss_other"] if x.get("what") == "nginx" and x["phase"] == "rest"]
    mariadb = [num(x["kb"]) / 1024 for x in r["rss_other"] if x.get("what") == "mariadb"]
    fcgi = sorted(num(x["ms"]) for x in r["startup"] if x["what"] == "fcgi")
    true_ = sorted(num(x["ms"]) for x in r["startup"] if x["what"] == "true")
    cold = r["cold"][0] if r["cold"] else {}
    say("FOOTPRINT — target: worker RSS < 15 MB (each pool), start-up < 100 ms")
    say(table([
        ["RSS per worker at rest (MB)", " ".join(f"{v:.1f}" for v in rest), f"max {max(rest or [0]):.1f}"],
        ["RSS per worker after the load (MB)", " ".join(f"{v:.1f}" for v in load_), f"max {max(load_ or [0]):.1f}"],
        ["RSS per worker after the outage (MB)", " ".join(f"{v:.1f}" for v in outage_rss),
         f"max {max(outage_rss or [0]):.1f}"],
        ["RSS per feed worker after the load (MB)", " ".join(f"{v:.1f}" for v in feed_rss),
         f"max {max(feed_rss or [0]):.1f}"],
        ["for scale: nginx processes at rest, mariadbd after load (MB)",
         " ".join(f"{v:.1f}" for v in nginx_rest), f"mariadbd {max(mariadb or [0]):.0f}"],
        ["start-up: switchboard-fcgi --nginx-fallback-locations ×20 (ms)", f"median {med(fcgi):.1f}",
         f"max {max(fcgi or [0]):.1f}"],
        ["floor: /bin/true ×20, same loop (ms)", f"median {med(true_):.1f}", f"max {max(true_ or [0]):.1f}"],
        ["first webhook on a cold pool (server time, ms)", f"{cold.get('ms')}", f"HTTP {cold.get('status')}"],
    ], ["", "values", ""]))
    every = load_ + rest + outage_rss
    checks.append(("webhook worker RSS < 15 MB", f"{max(every or [0]):.1f} MB", max(every or [0]) < 15))
    if feed_rss:
        checks.append(("feed worker RSS < 15 MB (after the load)", f"{max(feed_rss):.1f} MB", max(feed_rss) < 15))
    checks.append(("start-up < 100 ms (median of 20)", f"{med(fcgi):.1f} ms", med(fcgi) < 100))
    logs = r["logs"][0] if r["logs"] else {}
    temp_files = (f", {logs['nginx_temp_files']} upstream responses buffered to a temporary file"
                  if logs.get("nginx_temp_files") not in (None, "0") else "")
    if logs.get("bare_errors") is not None:
        temp_files += f"; the bare program's log: {logs['bare_errors']} error lines"
    if logs.get("worker_stderr") == "/dev/null":
        say("  worker log: not captured — the workers' stderr is /dev/null under spawn-fcgi (scripts/lib/stack.sh), "
            f"so their error lines are lost; feed workers' log: {logs.get('feed_errors', '?')} error lines; "
            f"nginx error log: {logs.get('nginx_errors')} [error]+ lines" + temp_files)
    else:
        say(f"  worker log: {logs.get('worker_errors')} error lines ({logs.get('not_stored')} 'not stored, spooling', "
            f"expected during the outage); feed workers' log: {logs.get('feed_errors', '?')} error lines; "
            f"nginx error log: {logs.get('nginx_errors')} [error]+ lines" + temp_files)
    say("")

    # ---- targets ---------------------------------------------------------------------------------------------------
    say("TARGETS")
    ordered = [goals[k] for k in sorted(goals)] + moonshot + checks
    say(table([[t, f, verdict(ok)] for t, f, ok in ordered], ["", "measured", ""]))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

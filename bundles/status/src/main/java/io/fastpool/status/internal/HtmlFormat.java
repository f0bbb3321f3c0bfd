package io.fastpool.status.internal;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The status page as HTML: a dashboard that draws itself. The server writes the figures as plain
 * tables (readable without JavaScript, refreshed by a {@code <noscript>} meta refresh); the inline
 * script then fetches {@code ?json} every sample interval and replaces them with pool cards (state,
 * thread and queue meters, key figures) and canvas charts of the history. Nothing is fetched from
 * anywhere but this page's own path: the style and script are inline and allowed by their hashes
 * in the Content-Security-Policy, which forbids everything else. Every name from an app or a
 * configuration is escaped on the server and set as text, never as markup, by the script.
 */
final class HtmlFormat {

    static final String CONTENT_TYPE = "text/html; charset=utf-8";

    static final String STYLE = """
            :root{--bg:#f6f7f9;--card:#fff;--ink:#1f2328;--muted:#5b6470;--grid:#e3e6ea;--line:#d0d7de;--ok:#16a34a;\
            --warn:#d97706;--bad:#dc2626;--accent:#2563eb;color-scheme:light dark}
            @media (prefers-color-scheme:dark){:root{--bg:#0f1216;--card:#171b21;--ink:#e6e8eb;--muted:#9aa4b1;--grid:#2a3038;\
            --line:#323a44}}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--ink)}
            body>header{display:flex;align-items:baseline;flex-wrap:wrap;gap:1rem;padding:.8rem 1.2rem;\
            border-bottom:1px solid var(--line);background:var(--card)}
            h1{font-size:1.2rem;margin:0}
            #updated{color:var(--muted);font-size:.85rem}
            #updated.stale{color:var(--bad)}
            main{padding:1rem 1.2rem;max-width:1400px;margin:0 auto}
            .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:.6rem;margin-bottom:1rem}
            .tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem}
            .tile-value{font-size:1.5rem;font-weight:600;font-variant-numeric:tabular-nums}
            .tile-label{color:var(--muted);font-size:.8rem}
            .advice ul{list-style:none;padding:0;margin:0}
            .advice li{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:6px;\
            padding:.5rem .7rem;margin-bottom:.4rem}
            .advice li.warning{border-left-color:var(--warn)}
            .badge{font-size:.7rem;text-transform:uppercase;font-weight:700;color:var(--muted)}
            .chip{display:inline-block;font-size:.75rem;color:var(--muted);border:1px solid var(--line);border-radius:10px;\
            padding:0 .45rem;margin:.25rem .25rem 0 0;font-variant-numeric:tabular-nums}
            .server-charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:.6rem;margin:1rem 0}
            .pools{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:.8rem}
            .pool,.server-charts figure{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.7rem .9rem}
            .pool header{display:flex;justify-content:space-between;align-items:center;gap:.5rem}
            .pool h2{font-size:1rem;margin:0;overflow-wrap:anywhere}
            .state{font-size:.75rem;font-weight:700;padding:.1rem .5rem;border-radius:10px;color:#fff;background:#6b7280}
            .state-running{background:var(--ok)}
            .state-starting,.state-draining,.state-swapping{background:var(--warn)}
            .state-disabled{background:var(--bad)}
            .meter{display:grid;grid-template-columns:6.5rem 1fr 5.5rem;align-items:center;gap:.5rem;margin:.45rem 0;font-size:.85rem}
            .meter-track{position:relative;height:10px;background:var(--grid);border-radius:5px;overflow:hidden}
            .meter-fill{position:absolute;left:0;top:0;bottom:0;background:var(--ok)}
            .meter-fill.warm{background:var(--warn)}
            .meter-fill.hot{background:var(--bad)}
            .meter-mark{position:absolute;top:0;bottom:0;width:2px;background:var(--ink);opacity:.5}
            .meter-text{text-align:right;font-variant-numeric:tabular-nums;color:var(--muted)}
            dl.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:.3rem .6rem;margin:.6rem 0}
            dl.figures div{min-width:0}
            dl.figures dt{color:var(--muted);font-size:.72rem}
            dl.figures dd{margin:0;font-variant-numeric:tabular-nums;font-weight:600}
            figure{margin:0}
            figure.chart{margin:.4rem 0 0}
            figcaption{font-size:.78rem;color:var(--muted);display:flex;gap:.6rem;flex-wrap:wrap}
            .key::before{content:"";display:inline-block;width:.7rem;height:.2rem;margin-right:.25rem;vertical-align:middle;\
            background:var(--c,var(--accent))}
            canvas{display:block;width:100%;height:120px}
            table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);\
            font-variant-numeric:tabular-nums}
            th,td{padding:.35rem .6rem;border-bottom:1px solid var(--grid);text-align:right;white-space:nowrap}
            th:first-child,td:first-child{text-align:left}
            th{color:var(--muted);font-weight:600;font-size:.8rem}
            h2{font-size:1rem;margin:1.2rem 0 .5rem}
            .apps{font-size:.8rem;color:var(--muted);margin:.4rem 0 0;padding-left:1rem}
            .empty{color:var(--muted)}
            .wide{overflow-x:auto}
            """;

    static final String SCRIPT = """
            (function () {
              'use strict';
              var app = document.getElementById('app');
              var stamp = document.getElementById('updated');
              var url = location.pathname + '?json';
              var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
              var drawers = [];
              var interval = 5000;

              function el(tag, cls, text) {
                var e = document.createElement(tag);
                if (cls) { e.className = cls; }
                if (text !== undefined && text !== null) { e.textContent = String(text); }
                return e;
              }
              function add(parent, child) { parent.appendChild(child); return child; }
              function num(n) {
                return n === null || n === undefined ? '-' : Number(n).toLocaleString('en-US', {maximumFractionDigits: 1});
              }
              function ms(us) {
                if (us === null || us === undefined) { return '-'; }
                var v = us / 1000;
                return (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
              }
              function toMs(us) { return us === null ? null : us / 1000; }
              function bytes(b) {
                var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
                var i = 0;
                while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
                return (i ? b.toFixed(1) : b) + ' ' + units[i];
              }
              function dur(s) {
                var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
                return d ? d + 'd ' + h + 'h' : h ? h + 'h ' + m + 'm' : m ? m + 'm ' + (s % 60) + 's' : s + 's';
              }
              function last(values) {
                for (var i = (values || []).length - 1; i >= 0; i--) { if (values[i] !== null) { return values[i]; } }
                return null;
              }
              function nice(v) {
                if (!(v > 0)) { return 1; }
                var p = Math.pow(10, Math.floor(Math.log10(v)));
                var m = v / p;
                return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
              }

              function tile(parent, label, value, hint) {
                var t = add(parent, el('div', 'tile'));
                add(t, el('div', 'tile-value', value));
                add(t, el('div', 'tile-label', label));
                if (hint) { t.title = hint; }
              }
              function meter(parent, label, value, max, mark) {
                var row = add(parent, el('div', 'meter'));
                add(row, el('span', 'meter-label', label));
                var track = add(row, el('span', 'meter-track'));
                var fill = add(track, el('span', 'meter-fill'));
                var share = max > 0 ? Math.min(1, value / max) : 0;
                fill.style.width = (share * 100).toFixed(1) + '%';
                if (share >= 0.9) { fill.className += ' hot'; } else if (share >= 0.6) { fill.className += ' warm'; }
                if (mark > 0 && max > 0) {
                  var m = add(track, el('span', 'meter-mark'));
                  m.style.left = (Math.min(1, mark / max) * 99).toFixed(1) + '%';
                  m.title = 'most: ' + mark;
                }
                add(row, el('span', 'meter-text', num(value) + ' / ' + num(max)));
              }
              function fig(dl, label, value) {
                var d = add(dl, el('div'));
                add(d, el('dt', null, label));
                add(d, el('dd', null, value));
              }
              function chart(parent, title, times, series, format) {
                var f = add(parent, el('figure', 'chart'));
                var cap = add(f, el('figcaption', null, title));
                series.forEach(function (s, i) {
                  var k = add(cap, el('span', 'key', s.label));
                  k.style.setProperty('--c', s.color || COLORS[i]);
                });
                var canvas = add(f, el('canvas'));
                canvas.setAttribute('role', 'img');
                canvas.setAttribute('aria-label', title);
                drawers.push(function () { draw(canvas, times || [], series, format); });
              }
              function draw(canvas, times, series, format) {
                var ratio = window.devicePixelRatio || 1;
                var width = Math.max(160, canvas.parentNode.clientWidth);
                var height = 120;
                canvas.width = Math.round(width * ratio);
                canvas.height = Math.round(height * ratio);
                canvas.style.width = width + 'px';
                canvas.style.height = height + 'px';
                var g = canvas.getContext('2d');
                g.scale(ratio, ratio);
                var css = getComputedStyle(document.documentElement);
                var ink = css.getPropertyValue('--muted').trim() || '#666';
                var grid = css.getPropertyValue('--grid').trim() || '#ddd';
                var left = 48, right = 8, top = 8, bottom = 18;
                var plotW = width - left - right, plotH = height - top - bottom;
                var max = 0;
                series.forEach(function (s) {
                  (s.values || []).forEach(function (v) { if (v !== null && v > max) { max = v; } });
                });
                max = nice(max);
                g.font = '11px system-ui, sans-serif';
                g.textBaseline = 'middle';
                for (var i = 0; i <= 2; i++) {
                  var y = top + plotH * i / 2;
                  g.strokeStyle = grid;
                  g.lineWidth = 1;
                  g.beginPath();
                  g.moveTo(left, Math.round(y) + 0.5);
                  g.lineTo(width - right, Math.round(y) + 0.5);
                  g.stroke();
                  g.fillStyle = ink;
                  g.textAlign = 'right';
                  g.fillText(format(max * (2 - i) / 2), left - 6, y);
                }
                var n = times.length;
                g.textBaseline = 'alphabetic';
                if (n === 0) {
                  g.textAlign = 'center';
                  g.fillText('no samples yet', left + plotW / 2, top + plotH / 2);
                  return;
                }
                var t0 = times[0], span = Math.max(1, times[n - 1] - t0);
                g.textAlign = 'left';
                g.fillText('-' + Math.round(span / 6000) / 10 + ' min', left, height - 4);
                g.textAlign = 'right';
                g.fillText('now', width - right, height - 4);
                series.forEach(function (s, k) {
                  var color = s.color || COLORS[k];
                  var values = s.values || [];
                  var pen = false, lx = -1, ly = -1;
                  g.strokeStyle = color;
                  g.lineWidth = 1.8;
                  g.lineJoin = 'round';
                  g.beginPath();
                  for (var j = 0; j < n; j++) {
                    var v = values[j];
                    if (v === null || v === undefined) { pen = false; continue; }
                    var x = left + plotW * (n === 1 ? 1 : (times[j] - t0) / span);
                    var y = top + plotH * (1 - v / max);
                    if (pen) { g.lineTo(x, y); } else { g.moveTo(x, y); pen = true; }
                    lx = x; ly = y;
                  }
                  g.stroke();
                  if (lx >= 0) {
                    g.fillStyle = color;
                    g.beginPath();
                    g.arc(lx, ly, 2.5, 0, 2 * Math.PI);
                    g.fill();
                  }
                });
              }
              function table(parent, title, head, rows) {
                var section = add(parent, el('section', 'tables'));
                add(section, el('h2', null, title));
                var t = add(add(section, el('div', 'wide')), el('table'));
                var tr = add(add(t, el('thead')), el('tr'));
                head.forEach(function (h) { add(tr, el('th', null, h)); });
                var body = add(t, el('tbody'));
                rows.forEach(function (r) {
                  var row = add(body, el('tr'));
                  r.forEach(function (c) { add(row, el('td', null, c)); });
                });
              }

              function poolCard(parent, p, h) {
                var card = add(parent, el('section', 'pool'));
                card.setAttribute('data-pool', p.name);
                card.setAttribute('data-state', p.state);
                var head = add(card, el('header'));
                add(head, el('h2', null, p.name));
                add(head, el('span', 'state state-' + String(p.state).toLowerCase(), p.state));
                meter(card, 'busy threads', p.busyThreads, p.maxThreads, p.maxBusyThreads);
                meter(card, 'queue', p.queued, p.queueLength, p.maxQueued);
                var c = p.counters;
                var dl = add(card, el('dl', 'figures'));
                fig(dl, 'served', num(c.served));
                fig(dl, 'rejected', num(c.rejected));
                fig(dl, '5xx', num(c.serverErrors));
                fig(dl, 'time-outs', num(c.timeouts));
                fig(dl, 'latency p50', ms(p.latencyMicros.p50));
                fig(dl, 'latency p99', ms(p.latencyMicros.p99));
                fig(dl, 'queue wait p99', ms(p.queueWaitMicros.p99));
                fig(dl, 'threads', p.threads + ' of ' + p.maxThreads);
                fig(dl, 'CPU / request', ms(p.cpuMicrosPerRequest));
                fig(dl, 'alloc / request', bytes(p.allocatedBytesPerRequest));
                fig(dl, 'failures', num(c.failures));
                fig(dl, 'restarts / recycles', c.restarts + ' / ' + c.recycles);
                var ph = (h.pools || {})[p.name];
                var box = add(card, el('div', 'pool-charts'));
                if (ph && h.time.length > 1) {
                  chart(box, 'requests per second', h.time, [
                    {label: 'served', values: ph.requestsPerSecond},
                    {label: 'rejected', values: ph.rejectedPerSecond, color: '#dc2626'}], num);
                  chart(box, 'latency since pool start, ms', h.time, [
                    {label: 'p50', values: ph.latencyP50Micros.map(toMs)},
                    {label: 'p99', values: ph.latencyP99Micros.map(toMs), color: '#9333ea'}], num);
                  chart(box, 'threads and queue', h.time, [
                    {label: 'busy', values: ph.busyThreads},
                    {label: 'threads', values: ph.threads, color: '#16a34a'},
                    {label: 'queued', values: ph.queued, color: '#ea580c'}], num);
                } else {
                  add(box, el('p', 'empty', 'Charts appear after two samples.'));
                }
                var apps = add(card, el('ul', 'apps'));
                p.apps.forEach(function (a) {
                  add(apps, el('li', null, a.name + (a.active ? ' (active)' : ' (not active)') + ', sessions ' + num(a.sessions)
                      + ' (' + num(a.newSessions) + ' new, ' + num(a.returningSessions) + ' returning), evicted '
                      + num(a.newSessionsEvicted) + ' new, ' + num(a.returningSessionsEvicted) + ' returning'));
                });
              }

              function render(d) {
                drawers = [];
                var h = d.history || {time: [], pools: {}};
                var s = d.server;
                var root = document.createDocumentFragment();
                var tiles = add(root, el('section', 'tiles'));
                tile(tiles, 'uptime', dur(s.uptimeSeconds), 'since ' + s.startTime);
                tile(tiles, 'requests / s', num(last(h.requestsPerSecond)), 'completed by the FastCGI listener, last sample');
                var open = 0;
                d.listeners.forEach(function (l) { open += l.open; });
                tile(tiles, 'connections open', num(open));
                var running = d.pools.filter(function (p) { return p.state === 'RUNNING'; }).length;
                tile(tiles, 'pools running', running + ' / ' + d.pools.length);
                tile(tiles, '5xx responses', num(d.requests ? d.requests.responses['5xx'] : null));
                tile(tiles, 'CPU busy', s.cpuBusy === null ? '-' : Math.round(s.cpuBusy * 100) + '%', s.cpuBusySource);
                if (d.advice.length) {
                  var advice = add(root, el('section', 'advice'));
                  add(advice, el('h2', null, 'Advice'));
                  var list = add(advice, el('ul'));
                  d.advice.forEach(function (a) {
                    var li = add(list, el('li', a.severity === 'warning' ? 'warning' : 'info'));
                    add(li, el('span', 'badge', a.severity));
                    add(li, document.createTextNode(' ' + a.message));
                    var figures = add(li, el('div', 'figures'));
                    Object.keys(a.figures).forEach(function (k) { add(figures, el('span', 'chip', k + ' ' + a.figures[k])); });
                  });
                }
                var server = add(root, el('section', 'server-charts'));
                chart(server, 'requests per second, all pools', h.time, [
                  {label: 'completed', values: h.requestsPerSecond},
                  {label: '5xx', values: h.serverErrorsPerSecond, color: '#dc2626'}], num);
                chart(server, 'connections open', h.time, [{label: 'open', values: h.openConnections}], num);
                var pools = add(root, el('section', 'pools'));
                d.pools.forEach(function (p) { poolCard(pools, p, h); });
                if (!d.pools.length) { add(pools, el('p', 'empty', 'No pools: no app is deployed.')); }
                table(root, 'Listen addresses', ['listen', 'accepted', 'open', 'active', 'idle', 'held', 'refused'],
                  d.listeners.map(function (l) {
                    return [l.listen, num(l.accepted), num(l.open), num(l.active), num(l.idle), num(l.held), num(l.refused)];
                  }));
                if (d.requests) {
                  var r = d.requests;
                  table(root, 'Responses', ['1xx', '2xx', '3xx', '4xx', '5xx', 'not found', 'rejected', 'aborted'],
                    [[num(r.responses['1xx']), num(r.responses['2xx']), num(r.responses['3xx']), num(r.responses['4xx']),
                      num(r.responses['5xx']), num(r.notFound), num(r.rejected), num(r.aborted)]]);
                }
                while (app.firstChild) { app.removeChild(app.firstChild); }
                app.appendChild(root);
                app.setAttribute('data-mode', 'live');
                drawers.forEach(function (f) { f(); });
                if (h.intervalSeconds > 0) { interval = Math.max(2000, h.intervalSeconds * 1000); }
              }

              function load() {
                if (document.hidden) { setTimeout(load, interval); return; }
                fetch(url, {cache: 'no-store', credentials: 'same-origin'}).then(function (response) {
                  if (!response.ok) { throw new Error('HTTP ' + response.status); }
                  return response.json();
                }).then(function (d) {
                  render(d);
                  stamp.textContent = 'live, updated ' + new Date().toLocaleTimeString();
                  stamp.className = '';
                }).catch(function (e) {
                  stamp.textContent = 'not updated since ' + new Date().toLocaleTimeString() + ': ' + e.message;
                  stamp.className = 'stale';
                }).then(function () { setTimeout(load, interval); });
              }
              window.addEventListener('resize', function () { drawers.forEach(function (f) { f(); }); });
              load();
            })();
            """;

    /** The Content-Security-Policy: only this page's own style and script, and fetches from its own origin. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src '" + sha256(SCRIPT) + "'; style-src '"
            + sha256(STYLE) + "'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private HtmlFormat() {
    }

    static String render(StatusReport report) {
        StringBuilder out = new StringBuilder(16384);
        int refresh = Math.max(2, report.history().intervalSeconds());
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Fastpool status</title>\n")
                // An empty icon, so the browser does not ask the server for /favicon.ico (a 404 in the figures).
                .append("<link rel=\"icon\" href=\"data:,\">\n")
                .append("<noscript><meta http-equiv=\"refresh\" content=\"").append(refresh).append("\"></noscript>\n")
                .append("<style>").append(STYLE).append("</style>\n</head>\n<body>\n<header><h1>Fastpool status</h1>")
                .append("<span id=\"updated\">figures of ").append(escape(report.time().toString())).append("</span></header>\n")
                .append("<main id=\"app\" data-mode=\"static\">\n");
        summary(out, report);
        advice(out, report);
        pools(out, report);
        listeners(out, report);
        requests(out, report.requests());
        out.append("</main>\n<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return out.toString();
    }

    private static void summary(StringBuilder out, StatusReport report) {
        SystemFigures system = report.system();
        out.append("<section class=\"tiles\">");
        tile(out, "uptime", Advisor.duration(report.uptime().withNanos(0)));
        tile(out, "started", report.startTime().toString());
        tile(out, "transport", report.transportRunning() ? "running (" + report.ioKind() + ")" : "not running");
        tile(out, "CPU busy", system.cpuBusy() < 0 ? "unknown" : Math.round(system.cpuBusy() * 100) + "%");
        tile(out, "pools", Integer.toString(report.pools().size()));
        out.append("</section>\n");
    }

    private static void tile(StringBuilder out, String label, String value) {
        out.append("<div class=\"tile\"><div class=\"tile-value\">").append(escape(value)).append("</div><div class=\"tile-label\">")
                .append(escape(label)).append("</div></div>");
    }

    private static void advice(StringBuilder out, StatusReport report) {
        if (report.advice().isEmpty()) {
            return;
        }
        out.append("<section class=\"advice\"><h2>Advice</h2><ul>\n");
        for (Advice advice : report.advice()) {
            String severity = advice.severity().name().toLowerCase(Locale.ROOT);
            out.append("<li class=\"").append(severity).append("\"><span class=\"badge\">").append(severity).append("</span> ")
                    .append(escape(advice.message())).append("<div class=\"figures\">");
            advice.figures().forEach((name, value) -> out.append("<span class=\"chip\">").append(escape(name)).append(' ')
                    .append(escape(String.valueOf(value))).append("</span>"));
            out.append("</div></li>\n");
        }
        out.append("</ul></section>\n");
    }

    private static void pools(StringBuilder out, StatusReport report) {
        out.append("<h2>Pools</h2>\n");
        if (report.pools().isEmpty()) {
            out.append("<p class=\"empty\">No pools: no app is deployed.</p>\n");
            return;
        }
        out.append("<div class=\"wide\"><table>\n<thead><tr>");
        for (String head : new String[] {"pool", "state", "busy threads", "threads", "max threads", "queued", "max queued",
                "queue length", "served", "rejected", "5xx", "time-outs", "latency p50", "latency p99", "queue wait p99",
                "CPU / request", "alloc / request"}) {
            out.append("<th>").append(head).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (PoolSnapshot pool : report.pools()) {
            PoolSnapshot.Counters c = pool.counters();
            out.append("<tr>");
            cell(out, pool.name());
            cell(out, pool.state().name());
            cell(out, pool.busyThreads() + " (most " + report.maxBusyThreads(pool) + ")");
            cell(out, Integer.toString(pool.threads()));
            cell(out, Integer.toString(pool.settings().maxThreads()));
            cell(out, Integer.toString(pool.queued()));
            cell(out, Integer.toString(pool.maxQueued()));
            cell(out, Integer.toString(pool.settings().queueLength()));
            cell(out, Long.toString(c.served()));
            cell(out, Long.toString(c.rejected()));
            cell(out, Long.toString(c.serverErrors()));
            cell(out, Long.toString(c.timeouts()));
            cell(out, Advisor.millis(pool.latency().p50()) + " ms");
            cell(out, Advisor.millis(pool.latency().p99()) + " ms");
            cell(out, Advisor.millis(pool.queueWait().p99()) + " ms");
            cell(out, c.served() == 0 ? "-" : Advisor.round(c.cpuNanos() / 1e6 / c.served()) + " ms");
            cell(out, c.served() == 0 ? "-" : c.allocatedBytes() / c.served() + " B");
            out.append("</tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    private static void listeners(StringBuilder out, StatusReport report) {
        out.append("<h2>Listen addresses</h2>\n");
        if (!report.transportRunning()) {
            out.append("<p class=\"empty\">The transport is not running.</p>\n");
            return;
        }
        out.append("<div class=\"wide\"><table>\n<thead><tr><th>listen</th><th>accepted</th><th>open</th><th>active</th>")
                .append("<th>idle</th><th>held</th><th>refused</th></tr></thead>\n<tbody>\n");
        for (StatusReport.ListenAddress listener : report.listeners()) {
            ListenerSnapshot s = listener.snapshot();
            out.append("<tr>");
            cell(out, s.listenAddress());
            cell(out, Long.toString(s.accepted()));
            cell(out, Integer.toString(s.open()));
            cell(out, Integer.toString(listener.active()));
            cell(out, Integer.toString(listener.idle()));
            cell(out, Integer.toString(listener.held()));
            cell(out, Long.toString(s.refused()));
            out.append("</tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    private static void requests(StringBuilder out, ListenerStatus.Counters c) {
        if (c == null) {
            return;
        }
        out.append("<h2>Responses</h2>\n<div class=\"wide\"><table>\n<thead><tr><th>1xx</th><th>2xx</th><th>3xx</th><th>4xx</th>")
                .append("<th>5xx</th><th>not found</th><th>rejected</th><th>aborted</th></tr></thead>\n<tbody><tr>");
        for (long value : new long[] {c.responses1xx(), c.responses2xx(), c.responses3xx(), c.responses4xx(), c.responses5xx(),
                c.notFound(), c.rejected(), c.aborted()}) {
            cell(out, Long.toString(value));
        }
        out.append("</tr></tbody></table></div>\n");
    }

    private static void cell(StringBuilder out, String text) {
        out.append("<td>").append(escape(text)).append("</td>");
    }

    /** Text made safe for HTML element content and quoted attribute values. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

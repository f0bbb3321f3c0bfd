(function () {
  'use strict';
  var app = document.getElementById('app');
  var stamp = document.getElementById('updated');
  var url = location.pathname + '?json';
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
  var drawers = [];
  var tables = Array.prototype.slice.call(app.querySelectorAll('section[data-source]'));
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
    return d;
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

  // The server's tables (data-source: the JSON member they show; data-field on each heading: the
  // field of a row it shows), kept across renders with their rows refreshed from the JSON.
  function refresh(section, data) {
    var table = section.querySelector('table');
    var fields = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.getAttribute('data-field'); });
    var body = el('tbody');
    [].concat(data || []).forEach(function (r) {
      var row = add(body, el('tr'));
      fields.forEach(function (f) {
        var v = f.split('.').reduce(function (o, k) { return o === null || o === undefined ? o : o[k]; }, r);
        add(row, el('td', null, typeof v === 'number' ? num(v) : v));
      });
    });
    table.replaceChild(body, table.tBodies[0]);
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
    var li = p.lastInterval;
    var covers = li.end ? 'the last interval: ' + num(li.lengthSeconds) + ' s, ' + li.start + ' to ' + li.end
        : 'the last interval (none has ended yet)';
    // The last completed interval (5 s) first: a spike shows there; the since-start figures hardly move.
    var none = li.latencyMicros.count === 0;
    fig(dl, 'p50, 5 s', none ? '-' : ms(li.latencyMicros.p50)).title = 'latency p50 over ' + covers;
    fig(dl, 'p99, 5 s', none ? '-' : ms(li.latencyMicros.p99)).title = 'latency p99 over ' + covers;
    fig(dl, 'queue p99, 5 s', none ? '-' : ms(li.queueWaitMicros.p99)).title = 'queue wait p99 over ' + covers;
    fig(dl, 'p50/p99, all', ms(p.latencyMicros.p50) + ' / ' + ms(p.latencyMicros.p99)).title = 'latency since the pool started';
    fig(dl, 'queue p99, all', ms(p.queueWaitMicros.p99)).title = 'queue wait p99 since the pool started';
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
      chart(box, 'latency per 5 s interval, ms', h.time, [
        {label: 'p50', values: ph.intervalLatencyP50Micros.map(toMs)},
        {label: 'p99', values: ph.intervalLatencyP99Micros.map(toMs), color: '#9333ea'}], num);
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
    tile(tiles, 'CPU busy', s.cpuBusy === null ? 'unknown' : Math.round(s.cpuBusy * 100) + '%', s.cpuBusySource);
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
    tables.forEach(function (section) {
      refresh(section, d[section.getAttribute('data-source')]);
      add(root, section);
    });
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

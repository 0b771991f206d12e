// MultiRaft live view: polls GET /cluster and, through GET /ui/metrics/{silo}, each silo's
// Prometheus text, every second. No dependencies, no build step.
'use strict';
(function () {
  const POLL_MS = 1000;          // how often the page asks
  const MIN_INTERVAL_MS = 900;   // shortest interval a rate is taken over (by the silos' clock)
  const KEEP_MS = 10000;         // samples kept per silo
  const HISTORY = 60;            // points in a silo's sparkline

  const samples = new Map();     // silo id -> [{at, commits, fsync, group}], oldest first
  const history = new Map();     // silo id -> [writes/s]
  let polls = 0;

  // ---- Prometheus text ------------------------------------------------------------------

  function number(text) {
    if (text === '+Inf' || text === 'Inf') return Infinity;
    if (text === '-Inf') return -Infinity;
    return Number(text);
  }

  // "name{a="x",b="y"} value [timestamp]" lines -> [{name, labels, value}]
  function parsePrometheus(text) {
    const out = [];
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line[0] === '#') continue;
      let name, labels = {}, rest;
      const open = line.indexOf('{');
      const space = line.indexOf(' ');
      if (open >= 0 && (space < 0 || open < space)) {
        const close = line.lastIndexOf('}');
        if (close < open) continue;
        name = line.slice(0, open);
        const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
        const body = line.slice(open + 1, close);
        let m;
        while ((m = re.exec(body)) !== null) {
          labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
        }
        rest = line.slice(close + 1).trim();
      } else {
        if (space < 0) continue;
        name = line.slice(0, space);
        rest = line.slice(space + 1).trim();
      }
      const value = number(rest.split(/\s+/)[0]);
      if (!Number.isNaN(value)) out.push({ name, labels, value });
    }
    return out;
  }

  // A histogram's cumulative figures for one silo, or null when the silo exports none.
  function histogram(series, base) {
    let count = null, sum = 0;
    const buckets = [];
    for (const s of series) {
      if (s.name === base + '_count') count = s.value;
      else if (s.name === base + '_sum') sum = s.value;
      else if (s.name === base + '_bucket') buckets.push([number(s.labels.le), s.value]);
    }
    if (count === null) return null;
    buckets.sort((a, b) => a[0] - b[0]);
    return { count, sum, buckets };
  }

  // One silo's cumulative figures from its /metrics text (silos sharing a process export each other's series too).
  function sampleOf(silo, text, at) {
    const mine = parsePrometheus(text).filter(s => s.labels.otel_scope_silo === silo);
    // A counter is exported only once it has counted: a silo that has led nothing yet committed nothing.
    let commits = 0;
    for (const s of mine) {
      if (s.name === 'multiraft_commits_total') commits = (commits || 0) + s.value;
    }
    return {
      at,
      commits,
      fsync: histogram(mine, 'multiraft_wal_fsync_duration_milliseconds'),
      group: histogram(mine, 'multiraft_group_commit_duration_milliseconds'),
    };
  }

  // Median and mean over the interval between two cumulative histograms, or null without observations.
  function latency(a, b) {
    if (!a || !b) return null;
    const n = b.count - a.count;
    if (n <= 0) return null;
    const mean = (b.sum - a.sum) / n;
    const before = new Map(a.buckets);
    const target = n / 2;
    let lower = 0, below = 0, p50 = mean;
    for (const [le, cumulative] of b.buckets) {
      const d = cumulative - (before.get(le) || 0);
      if (d >= target) {
        p50 = le === Infinity ? lower : lower + (le - lower) * ((target - below) / Math.max(d - below, 1e-9));
        break;
      }
      lower = le;
      below = d;
    }
    return { p50, mean, n };
  }

  // Rates between the newest sample and the newest one at least MIN_INTERVAL_MS older.
  function figuresOf(silo, sample) {
    let list = samples.get(silo) || [];
    const last = list[list.length - 1];
    if (last && (sample.commits < last.commits || sample.at < last.at)) {
      list = []; // a restarted silo starts its counters again
    }
    list.push(sample);
    while (list.length > 2 && sample.at - list[1].at >= KEEP_MS) list.shift();
    samples.set(silo, list);
    let base = null;
    for (let i = list.length - 2; i >= 0; i--) {
      if (sample.at - list[i].at >= MIN_INTERVAL_MS) { base = list[i]; break; }
    }
    if (!base) return null;
    const seconds = (sample.at - base.at) / 1000;
    const fromWal = sample.fsync !== null;
    return {
      writes: (sample.commits - base.commits) / seconds,
      latency: fromWal ? latency(base.fsync, sample.fsync) : latency(base.group, sample.group),
      fromWal,
    };
  }

  // ---- fetching -------------------------------------------------------------------------

  async function fetchWithin(url, ms) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ms);
    try {
      const r = await fetch(url, { signal: abort.signal, cache: 'no-store' });
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  async function siloFigures(silo) {
    try {
      const r = await fetchWithin('/ui/metrics/' + encodeURIComponent(silo.id), 3000);
      const at = Number(r.headers.get('X-MultiRaft-Scraped-Ms')) || Date.now();
      return figuresOf(silo.id, sampleOf(silo.id, await r.text(), at));
    } catch (e) {
      samples.delete(silo.id);
      return { error: String(e.message || e) };
    }
  }

  // ---- rendering ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'class') node.className = v;
      else node.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function rate(x) { return x === null || x === undefined ? '' : (x >= 100 ? Math.round(x) : x.toFixed(1)).toString(); }
  function ms(x) { return x === null || x === undefined ? '' : (x >= 10 ? x.toFixed(1) : x.toFixed(3)); }
  function hex(x) { return '0x' + Number(x).toString(16).padStart(8, '0'); }
  function text(id, value) { document.getElementById(id).textContent = value; }

  function sparkline(points) {
    const w = 120, h = 22;
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    if (points.length > 1) {
      const max = Math.max(1, ...points);
      const step = w / (HISTORY - 1);
      const offset = (HISTORY - points.length) * step;
      const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      line.setAttribute('points', points.map((p, i) => (offset + i * step).toFixed(1) + ',' + (h - 1 - (p / max) * (h - 2)).toFixed(1)).join(' '));
      svg.append(line);
    }
    return svg;
  }

  function renderSilos(cluster, figures) {
    const body = document.querySelector('#silos tbody');
    const rows = [];
    let total = 0, anyRate = false, anyGroup = false;
    cluster.silos.forEach((silo, i) => {
      const f = figures[i];
      const ok = f && !f.error;
      const writes = ok ? f.writes : null;
      const lat = ok ? f.latency : null;
      if (writes !== null) {
        total += writes;
        anyRate = true;
        const h = history.get(silo.id) || [];
        h.push(writes);
        if (h.length > HISTORY) h.shift();
        history.set(silo.id, h);
      }
      const mark = ok && !f.fromWal ? '*' : '';
      if (mark) anyGroup = true;
      rows.push(el('tr', { 'data-silo-id': silo.id, 'data-silo-status': silo.status, title: f && f.error ? f.error : null },
        el('td', null, el('b', null, silo.id), silo.id === cluster.servedBy ? ' (this page)' : ''),
        el('td', null, el('span', { class: 'badge ' + silo.status }, silo.status)),
        el('td', { class: 'mono' }, silo.httpAddress ? el('a', { href: 'http://' + silo.httpAddress + '/ui' }, silo.httpAddress) : ''),
        el('td', { class: 'num', 'data-silo-replicas': silo.replicas }, silo.replicas),
        el('td', { class: 'num', 'data-silo-leaders': silo.leaders }, silo.leaders),
        el('td', { class: 'num', 'data-silo-writes': writes === null ? '' : writes.toFixed(2) }, f && f.error ? 'unreachable' : rate(writes)),
        el('td', { class: 'num', 'data-silo-fsync-p50': lat ? lat.p50.toFixed(4) : '' }, lat ? ms(lat.p50) + mark : (ok ? '–' : '')),
        el('td', { class: 'num', 'data-silo-fsync-mean': lat ? lat.mean.toFixed(4) : '' }, lat ? ms(lat.mean) + mark : (ok ? '–' : '')),
        el('td', { class: 'spark' }, sparkline(history.get(silo.id) || []))));
    });
    body.replaceChildren(...rows);
    const totalNode = document.getElementById('total-writes');
    totalNode.textContent = anyRate ? rate(total) : '…';
    totalNode.setAttribute('data-total-writes', anyRate ? total.toFixed(2) : '');
    document.getElementById('fsync-note').hidden = !anyGroup;
  }

  function renderShards(cluster) {
    const body = document.querySelector('#shards tbody');
    const rows = cluster.shards.map(shard => {
      const replicas = shard.replicas.map(r => el('span', {
        class: 'replica ' + r.role + (r.id === shard.leaderReplica ? ' leader' : ''),
        'data-replica-id': r.id, 'data-replica-silo': r.silo, 'data-replica-role': r.role,
        title: 'replica ' + r.id + ' on ' + r.silo + ', ' + r.role + (r.id === shard.leaderReplica ? ', leader' : ''),
      }, r.silo + (r.id === shard.leaderReplica ? ' ★' : '') + (r.role === 'voter' ? '' : ' (' + r.role + ')')));
      let moving = '';
      if (shard.moving) {
        const joining = shard.moving.joining.map(r => r.silo + ' (' + r.role + ')').join(', ');
        const leaving = shard.moving.leaving.join(', ');
        moving = el('span', { class: 'moving' }, (joining ? 'joining ' + joining : '') + (joining && leaving ? '; ' : '') + (leaving ? 'leaving replica ' + leaving : ''));
      }
      return el('tr', {
        'data-shard-id': shard.id, 'data-shard-leader': shard.leaderSilo || '', 'data-shard-term': shard.term ?? '',
        'data-shard-confver': shard.confVer, 'data-shard-rangever': shard.rangeVer, 'data-shard-moving': shard.moving ? 'true' : 'false',
      },
        el('td', { class: 'num' }, el('b', null, shard.id)),
        el('td', { class: 'mono' }, shard.id === 0 ? 'meta (shard map)' : hex(shard.hashStart) + ' – ' + hex(shard.hashEnd)),
        el('td', { class: 'num' }, shard.confVer),
        el('td', { class: 'num' }, shard.rangeVer),
        el('td', null, shard.leaderSilo ? shard.leaderSilo + ' (replica ' + shard.leaderReplica + ')' : 'none known'),
        el('td', { class: 'num' }, shard.term ?? ''),
        el('td', { class: 'num' }, shard.commitIndex ?? ''),
        el('td', { class: 'num' }, shard.appliedIndex ?? ''),
        el('td', null, ...replicas),
        el('td', null, moving));
    });
    body.replaceChildren(...rows);
  }

  function setStatus(kind, message) {
    const node = document.getElementById('status');
    node.setAttribute('data-status', kind);
    node.textContent = message;
  }

  async function poll() {
    try {
      const cluster = await (await fetchWithin('/cluster', 5000)).json();
      const figures = await Promise.all(cluster.silos.map(s => s.status === 'removed' ? null : siloFigures(s)));
      text('cluster-id', cluster.clusterId);
      text('served-by', cluster.servedBy);
      text('router-applied', cluster.routerAppliedIndex);
      text('moves', cluster.movesInProgress);
      renderSilos(cluster, figures);
      renderShards(cluster);
      polls++;
      document.body.setAttribute('data-polls', polls);
      const unreachable = figures.filter(f => f && f.error).length;
      setStatus(unreachable ? 'error' : 'ok', unreachable ? unreachable + ' silo(s) unreachable' : 'live');
      text('updated', 'Last update ' + new Date().toLocaleTimeString() + '.');
    } catch (e) {
      setStatus('error', 'cannot reach the cluster: ' + (e.message || e));
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();

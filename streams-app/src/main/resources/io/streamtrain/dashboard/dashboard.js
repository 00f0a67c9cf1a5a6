// The Streamtrain dashboard: follows /events (server-sent events) and draws each model's curves with uPlot.
// Every value from the topics reaches the page as text (textContent), never as markup.
(function () {
  'use strict';

  const MAX_POINTS = 3600;
  const MAX_LIST = 50;
  const models = new Map();
  const main = document.getElementById('models');
  const empty = document.getElementById('empty');
  const connection = document.getElementById('connection');
  const feed = document.getElementById('feed');
  let pending = false;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(v, digits) {
    if (num(v) === null) return '–';
    return Number(v).toLocaleString('en-US', { maximumFractionDigits: digits });
  }

  function pct(v) {
    return num(v) === null ? '–' : (100 * v).toFixed(1) + '%';
  }

  function time(iso) {
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleTimeString('en-GB', { hour12: false });
  }

  function chart(card, cls, title, series) {
    const box = el('div', 'chart ' + cls);
    box.dataset.points = '0';
    card.charts.appendChild(box);
    const opts = {
      title: title,
      width: Math.max(300, box.clientWidth || 400),
      height: 200,
      scales: { x: { time: true } },
      series: [{}].concat(series.map(s => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true }))),
      axes: [{}, { size: 60 }],
    };
    const data = [[]].concat(series.map(() => []));
    const plot = new uPlot(opts, data, box);
    // the grid decides each chart's width: follow it as cards are added and the window resized
    let width = 0;
    new ResizeObserver(() => {
      const w = Math.max(300, Math.floor(box.clientWidth));
      if (w !== width) {
        width = w;
        plot.setSize({ width: w, height: 200 });
      }
    }).observe(box);
    return { box: box, plot: plot, series: series };
  }

  function model(id) {
    let m = models.get(id);
    if (m) return m;
    const root = el('section', 'model');
    root.dataset.model = id;
    root.appendChild(el('h2', null, id));
    const facts = el('div', 'facts');
    root.appendChild(facts);
    const race = el('table', 'race');
    race.hidden = true;
    root.appendChild(race);
    const charts = el('div', 'charts');
    root.appendChild(charts);
    const lists = el('div', 'lists');
    const snapBox = el('div', 'snapshots');
    snapBox.appendChild(el('h3', null, 'Snapshots (newest first)'));
    const snapList = el('ol');
    snapBox.appendChild(snapList);
    const eventBox = el('div', 'events');
    eventBox.appendChild(el('h3', null, 'Events and control answers (newest first)'));
    const eventList = el('ol');
    eventBox.appendChild(eventList);
    lists.appendChild(snapBox);
    lists.appendChild(eventBox);
    root.appendChild(lists);
    m = {
      id: id, root: root, facts: facts, race: race, charts: charts, snapList: snapList, eventList: eventList,
      x: [], loss: [], pLoss: [], acc: [], pAcc: [], mae: [], rmse: [], eps: [],
      last: null, snapshots: new Map(), events: [], regression: false, plots: null,
    };
    // cards in the order of their ids
    const after = Array.from(models.keys()).filter(k => k > id).sort()[0];
    main.insertBefore(root, after ? models.get(after).root : null);
    models.set(id, m);
    empty.hidden = true;
    return m;
  }

  function plots(m) {
    if (m.plots) return m.plots;
    m.plots = {
      loss: chart(m, 'chart-loss', 'Loss', [
        { label: 'window', color: '#1f77b4', data: 'loss' },
        { label: 'prequential', color: '#ff7f0e', data: 'pLoss' }]),
      quality: m.regression
        ? chart(m, 'chart-quality', 'Error', [
          { label: 'MAE (window)', color: '#2ca02c', data: 'mae' },
          { label: 'RMSE (window)', color: '#d62728', data: 'rmse' }])
        : chart(m, 'chart-quality', 'Accuracy', [
          { label: 'window', color: '#2ca02c', data: 'acc' },
          { label: 'prequential', color: '#9467bd', data: 'pAcc' }]),
      rate: chart(m, 'chart-rate', 'Throughput (examples/s)', [
        { label: 'examples/s', color: '#8c564b', data: 'eps' }]),
    };
    return m.plots;
  }

  // a number to draw, or a gap: null, and the "NaN" and "Infinity" strings JSON has for what it cannot say
  function num(v) {
    return typeof v === 'number' && isFinite(v) ? v : null;
  }

  function push(arr, v) {
    arr.push(num(v));
    if (arr.length > MAX_POINTS) arr.shift();
  }

  function onMetrics(w) {
    const m = model(w.model);
    const x = Date.parse(w.windowEnd);
    if (isNaN(x)) return;
    if (!m.plots && w.mae !== null && w.mae !== undefined && (w.accuracy === null || w.accuracy === undefined)) {
      m.regression = true;
    }
    push(m.x, x / 1000);
    push(m.loss, w.meanLoss);
    push(m.pLoss, w.prequentialLoss);
    push(m.acc, w.accuracy);
    push(m.pAcc, w.prequentialAccuracy);
    push(m.mae, w.mae);
    push(m.rmse, w.rmse);
    push(m.eps, w.examplesPerSecond);
    m.last = w;
    m.dirty = true;
    schedule();
  }

  function onSnapshot(s) {
    const m = model(s.model);
    m.snapshots.set(s.version, s);
    m.dirty = true;
    schedule();
  }

  function onSnapshotRemoved(s) {
    const m = model(s.model);
    m.snapshots.delete(s.version);
    m.dirty = true;
    schedule();
  }

  function onEvent(e, kind) {
    const m = model(e.model);
    m.events.unshift({ kind: kind, e: e });
    if (m.events.length > MAX_LIST) m.events.pop();
    m.dirty = true;
    schedule();
  }

  function eventText(item) {
    const e = item.e;
    const r = e.record || {};
    if (item.kind === 'control') {
      return time(e.time) + ' · ' + (r.command || 'command') + ': ' + r.outcome + ' · ' + r.message;
    }
    if (e.type === 'ChampionSwitch') {
      return time(e.time) + ' · champion: ' + r.to + ' leads (was ' + r.from + ') · windowed loss ' + fmt(r.toLoss, 4)
        + ' against ' + fmt(r.fromLoss, 4) + ' · at example ' + r.exampleId + ' (#' + r.offset + ')'
        + (r.servingChampion ? ' · it serves the predictions' : '');
    }
    if (e.type === 'DriftEvent') {
      return time(e.time) + ' · drift (' + r.detector + ', ' + r.signal + ') at example ' + r.exampleId + ' (#'
        + r.offset + ', version ' + r.modelVersion + ') · statistic ' + fmt(r.statistic, 3) + ' · ' + r.action
        + ': ' + r.outcome;
    }
    const parts = [];
    for (const [k, v] of Object.entries(r)) {
      if (k === 'model' || v === null || typeof v === 'object') continue;
      parts.push(k + ' ' + (typeof v === 'number' ? fmt(v, 4) : v));
    }
    return time(e.time) + ' · ' + e.type + (parts.length ? ' · ' + parts.join(', ') : '');
  }

  function render() {
    pending = false;
    for (const m of models.values()) {
      if (!m.dirty) continue;
      m.dirty = false;
      const w = m.last;
      m.facts.replaceChildren();
      const facts = w ? [
        ['version', fmt(w.modelVersion, 0)],
        ['examples trained', fmt(w.examplesTrained, 0)],
        ['examples/s', fmt(w.examplesPerSecond, 0)],
        m.regression ? ['MAE (window)', fmt(w.mae, 4)] : ['prequential accuracy', pct(w.prequentialAccuracy)],
        ['prequential loss', fmt(w.prequentialLoss, 4)],
        ['backend', w.backend || '–'],
        ['last window', time(w.windowEnd)],
      ] : [['metrics', 'none yet']];
      if (w && w.champion) facts.push(['champion', w.champion]);
      for (const [k, v] of facts) {
        const span = el('span', null, k + ' ');
        span.appendChild(el('b', null, v));
        m.facts.appendChild(span);
      }
      renderRace(m, w);
      if (w) {
        const p = plots(m);
        for (const c of [p.loss, p.quality, p.rate]) {
          c.plot.setData([m.x.slice()].concat(c.series.map(s => m[s.data].slice())));
          c.box.dataset.points = String(m.x.length);
        }
      }
      m.snapList.replaceChildren();
      const versions = Array.from(m.snapshots.values()).sort((a, b) => b.version - a.version);
      for (const s of versions.slice(0, MAX_LIST)) {
        const quality = s.prequentialAccuracy !== undefined ? 'accuracy ' + pct(s.prequentialAccuracy)
          : s.prequentialMae !== undefined ? 'MAE ' + fmt(s.prequentialMae, 4) : '';
        const li = el('li', null, 'v' + s.version + ' · ' + time(s.createdAt) + ' · ' + (s.trigger || '') + ' · '
          + fmt((s.totalBytes || 0) / 1e6, 2) + ' MB' + (quality ? ' · ' + quality : ''));
        li.dataset.version = String(s.version);
        m.snapList.appendChild(li);
      }
      m.eventList.replaceChildren();
      for (const item of m.events) {
        const li = el('li', item.kind === 'control' && item.e.record && item.e.record.outcome === 'refused'
          ? 'refused' : item.e.type === 'DriftEvent' ? 'drift' : item.e.type === 'ChampionSwitch' ? 'champion'
            : null, eventText(item));
        m.eventList.appendChild(li);
      }
    }
  }

  // the race of baselines: each contender's windowed figures, the champion marked; hidden when none race
  function renderRace(m, w) {
    const contenders = w && Array.isArray(w.contenders) ? w.contenders : null;
    m.race.hidden = !contenders;
    m.race.replaceChildren();
    if (!contenders) return;
    const head = el('tr');
    for (const h of ['learner', 'windowed loss', 'windowed accuracy', 'scored']) head.appendChild(el('th', null, h));
    m.race.appendChild(head);
    for (const c of contenders) {
      const row = el('tr', c.name === w.champion ? 'champion' : null);
      row.dataset.contender = String(c.name);
      row.appendChild(el('td', null, c.name + (c.name === w.champion ? ' ★' : '')));
      row.appendChild(el('td', null, fmt(c.windowLoss, 4)));
      row.appendChild(el('td', null, pct(c.windowAccuracy)));
      row.appendChild(el('td', null, fmt(c.scored, 0)));
      m.race.appendChild(row);
    }
  }

  function schedule() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(render);
    }
  }

  function reset() {
    for (const m of models.values()) m.root.remove();
    models.clear();
    empty.hidden = false;
  }

  function onStatus(s) {
    feed.replaceChildren();
    const following = s.following && s.following.length ? 'following ' + s.following.join(', ') : 'no topic yet';
    feed.appendChild(el('span', null, following));
    if (s.waitingFor && s.waitingFor.length) {
      feed.appendChild(el('span', null, ' · not there yet: ' + s.waitingFor.join(', ')));
    }
    if (s.skipped > 0) {
      feed.appendChild(el('span', 'problem', ' · ' + s.skipped + ' records skipped (last: ' + s.lastSkipped + ')'));
    }
    if (s.outage) {
      feed.appendChild(el('span', 'problem', ' · ' + s.outage));
    }
  }

  function listen(kind, handle) {
    source.addEventListener(kind, ev => handle(JSON.parse(ev.data)));
  }

  const source = new EventSource('events');
  source.onopen = () => { connection.dataset.state = 'live'; connection.textContent = 'live'; };
  source.onerror = () => { connection.dataset.state = 'lost'; connection.textContent = 'reconnecting…'; };
  listen('reset', reset);
  listen('status', onStatus);
  listen('metrics', onMetrics);
  listen('snapshot', onSnapshot);
  listen('snapshot-removed', onSnapshotRemoved);
  listen('event', e => onEvent(e, 'event'));
  listen('control', e => onEvent(e, 'control'));
}());

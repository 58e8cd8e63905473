// The report page's only script (inline, hashed in the Content-Security-Policy): filters, sorting, paging and
// copy buttons for the findings table. It reads the data from the page's JSON block and builds every cell with
// textContent, never markup, so no value from a report can become code. Plain ES2020, no template literals.
export const CLIENT_SCRIPT = String.raw`
'use strict';
(function () {
  var block = document.getElementById('report-data');
  if (block.dataset.encoding === 'gzip-base64') {
    // Fleet-scale data travels compressed: decompressed here, no request made.
    var bin = atob(block.textContent.trim());
    var bytes = new Uint8Array(bin.length);
    for (var b = 0; b < bin.length; b++) bytes[b] = bin.charCodeAt(b);
    new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
      .then(function (t) { start(JSON.parse(t)); });
  } else start(JSON.parse(block.textContent));

  function start(data) {
  var STATUS = ['fail', 'unknown', 'exempt', 'not_applicable', 'pass'];
  var STATUS_LABEL = { fail: '\u2716 Fail', unknown: '? Unknown', exempt: '\u2691 Exempt', not_applicable: '\u2013 N/A', pass: '\u2714 Pass' };
  var SEV = ['critical', 'high', 'medium', 'low'];
  var rows = data.rows, clusters = data.clusters, text = data.text, rules = data.rules, subs = data.subs;
  var linkBase = data.clusterLinkBase;
  var raw = {};
  (data.raw || []).forEach(function (k) { raw[k] = true; });
  var PAGE = data.pageSize || 500;
  var fmt = new Intl.NumberFormat('en-US');
  var $ = function (id) { return document.getElementById(id); };
  var tbody = $('findings-body'), count = $('count'), more = $('more'), live = $('copy-status');
  var fSev = $('f-severity'), fStatus = $('f-status'), fRule = $('f-rule'), fSub = $('f-subscription'), fText = $('f-text');
  var state = { key: 'status', dir: 1, shown: PAGE, matched: [] };
  var hay = null;

  function ruleId(r) { return rules[r[1]][0]; }
  // Texts are templates: Private Use Area characters stand for the cluster's ID, normalised ID, resource group,
  // name and subscription.
  function expand(s, values) {
    if (!/[\uE000-\uE004]/.test(s)) return s;
    return s.replace(/[\uE000-\uE004]/g, function (ch) { return values[ch.charCodeAt(0) - 0xe000]; });
  }
  // A cluster's resource ID: a template of its resource group, name and subscription.
  function cid(c) {
    if (c.id === undefined) c.id = raw[c[5]] ? text[c[5]] : expand(text[c[5]], ['', '', c[1], c[0], subs[c[2]]]);
    return c.id;
  }
  function txt(k, c) {
    var s = text[k];
    if (raw[k] || !/[\uE000-\uE004]/.test(s)) return s;
    var id = cid(c);
    return expand(s, [id, id.trim().toLowerCase().replace(/\/+$/, ''), c[1], c[0], subs[c[2]]]);
  }
  function sevShown(r) { return r[2] === 0 || r[2] === 2; }
  function haystack() {
    if (hay) return hay;
    hay = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], c = clusters[r[0]];
      hay[i] = [c[0], c[1], subs[c[2]], c[3], c[4] || '', c[6], rules[r[1]][0], rules[r[1]][1], STATUS[r[2]],
        sevShown(r) ? SEV[r[3]] : '', txt(r[4], c), txt(r[5], c)].join('\n').toLowerCase();
    }
    return hay;
  }
  function versionKey(v) {
    var m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v || '');
    return m ? Number(m[1]) * 1e8 + Number(m[2]) * 1e4 + Number(m[3] || 0) : -1;
  }
  var collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  function byStatus(a, b) { return a[2] - b[2] || (sevShown(a) ? a[3] : 9) - (sevShown(b) ? b[3] : 9); }
  function byCluster(a, b) {
    var ca = clusters[a[0]], cb = clusters[b[0]];
    return collator.compare(ca[0], cb[0]) || collator.compare(ca[1], cb[1]) || a[0] - b[0];
  }
  var COMPARE = {
    status: byStatus,
    severity: function (a, b) { return (sevShown(a) ? a[3] : 9) - (sevShown(b) ? b[3] : 9) || a[2] - b[2]; },
    cluster: byCluster,
    subscription: function (a, b) { return collator.compare(subs[clusters[a[0]][2]], subs[clusters[b[0]][2]]); },
    version: function (a, b) { return versionKey(clusters[a[0]][4]) - versionKey(clusters[b[0]][4]); },
    rule: function (a, b) { return collator.compare(ruleId(a), ruleId(b)); }
  };

  function apply() {
    var sev = fSev.value, st = fStatus.value, rule = fRule.value, sub = fSub.value;
    var q = fText.value.trim().toLowerCase();
    var h = q ? haystack() : null;
    var matched = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (sev !== '' && !(sevShown(r) && SEV[r[3]] === sev)) continue;
      if (st === 'attention') { if (r[2] > 2) continue; }
      else if (st !== '' && STATUS[r[2]] !== st) continue;
      if (rule !== '' && ruleId(r) !== rule) continue;
      if (sub !== '' && subs[clusters[r[0]][2]] !== sub) continue;
      if (h && h[i].indexOf(q) < 0) continue;
      matched.push(i);
    }
    var primary = COMPARE[state.key], dir = state.dir;
    // Rows arrive in the default order; filtering keeps it.
    if (!(data.presorted && state.key === 'status' && dir === 1)) {
      matched.sort(function (x, y) {
        var a = rows[x], b = rows[y];
        return dir * primary(a, b) || byStatus(a, b) || byCluster(a, b) || collator.compare(ruleId(a), ruleId(b)) || x - y;
      });
    }
    state.matched = matched;
    state.shown = PAGE;
    render();
  }

  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined && txt !== null) e.textContent = txt;
    return e;
  }

  function rowEl(i) {
    var r = rows[i], c = clusters[r[0]], status = STATUS[r[2]];
    var tr = document.createElement('tr');
    var st = el('td'); st.appendChild(el('span', 'st st-' + status, STATUS_LABEL[status])); tr.appendChild(st);
    var sv = el('td');
    if (sevShown(r)) sv.appendChild(el('span', 'sev sev-' + SEV[r[3]], SEV[r[3]]));
    tr.appendChild(sv);
    var cl = el('td', 'cluster'); cl.title = cid(c);
    if (linkBase !== undefined) {
      var a = el('a');
      a.href = linkBase + '/clusters/' + encodeURIComponent(subs[c[2]]) + '/' + encodeURIComponent(c[1]) + '/' +
        encodeURIComponent(c[0]) + '?format=html';
      a.appendChild(el('strong', null, c[0]));
      cl.appendChild(a);
    } else cl.appendChild(el('strong', null, c[0]));
    cl.appendChild(el('span', 'sub', c[1] + ' \u00b7 ' + c[3] +
      (data.passesCounted ? ' \u00b7 ' + fmt.format(c[7]) + ' passing' : '')));
    if (c[6]) { var tg = el('span', 'tags', 'tags: ' + c[6]); tg.title = c[6]; cl.appendChild(tg); }
    tr.appendChild(cl);
    tr.appendChild(el('td', 'sub-id', subs[c[2]]));
    tr.appendChild(el('td', null, c[4] || 'unknown'));
    var ru = el('td', 'rule', rules[r[1]][0]); ru.title = rules[r[1]][1]; tr.appendChild(ru);
    tr.appendChild(el('td', 'msg', txt(r[4], c)));
    var fx = el('td', 'fix');
    var cmd = txt(r[5], c);
    if (cmd) {
      fx.appendChild(el('code', null, cmd));
      var b = el('button', 'copy', 'Copy');
      b.type = 'button';
      b.setAttribute('aria-label', 'Copy the remediation command for ' + c[0] + ', ' + rules[r[1]][0]);
      fx.appendChild(b);
    }
    tr.appendChild(fx);
    return tr;
  }

  function render() {
    var m = state.matched, end = Math.min(m.length, state.shown);
    var frag = document.createDocumentFragment();
    for (var k = 0; k < end; k++) frag.appendChild(rowEl(m[k]));
    tbody.replaceChildren(frag);
    count.dataset.matching = String(m.length);
    count.dataset.shown = String(end);
    count.textContent = (end < m.length ? 'Showing ' + fmt.format(end) + ' of ' : 'Showing all ') +
      fmt.format(m.length) + ' matching findings (' + fmt.format(rows.length) + ' in the report).';
    more.hidden = end >= m.length;
    more.textContent = 'Show ' + fmt.format(Math.min(PAGE, m.length - end)) + ' more';
  }

  function appendMore() {
    var m = state.matched, start = state.shown;
    state.shown = Math.min(m.length, start + PAGE);
    var frag = document.createDocumentFragment();
    for (var k = start; k < state.shown; k++) frag.appendChild(rowEl(m[k]));
    tbody.appendChild(frag);
    count.dataset.shown = String(state.shown);
    count.textContent = (state.shown < m.length ? 'Showing ' + fmt.format(state.shown) + ' of ' : 'Showing all ') +
      fmt.format(m.length) + ' matching findings (' + fmt.format(rows.length) + ' in the report).';
    more.hidden = state.shown >= m.length;
    more.textContent = 'Show ' + fmt.format(Math.min(PAGE, m.length - state.shown)) + ' more';
  }

  function legacyCopy(s) {
    var ta = el('textarea', 'sr-only');
    ta.value = s;
    ta.setAttribute('readonly', '');
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }
  function copyText(s) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(s).catch(function () { return legacyCopy(s); });
    }
    return legacyCopy(s);
  }
  function feedback(button, ok, code) {
    button.classList.remove('done', 'failed');
    button.classList.add(ok ? 'done' : 'failed');
    button.textContent = ok ? '\u2714 Copied' : 'Copy failed: press Ctrl+C';
    live.textContent = ok ? 'Copied the remediation command.' : 'Copy failed: the command is selected, press Ctrl+C.';
    if (!ok) {
      var range = document.createRange();
      range.selectNodeContents(code);
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    }
    clearTimeout(button._t);
    button._t = setTimeout(function () { button.classList.remove('done', 'failed'); button.textContent = 'Copy'; }, 2500);
  }

  tbody.addEventListener('click', function (ev) {
    var b = ev.target.closest('button.copy');
    if (!b) return;
    var code = b.parentNode.querySelector('code');
    copyText(code.textContent).then(function () { feedback(b, true, code); }, function () { feedback(b, false, code); });
  });
  more.addEventListener('click', appendMore);

  var heads = document.querySelectorAll('table.findings th[data-key]');
  heads.forEach(function (th) {
    th.querySelector('button').addEventListener('click', function () {
      var key = th.dataset.key;
      if (state.key === key) state.dir = -state.dir; else { state.key = key; state.dir = 1; }
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      apply();
    });
  });
  var timer = 0;
  fText.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  [fSev, fStatus, fRule, fSub].forEach(function (s) { s.addEventListener('change', apply); });
  $('f-reset').addEventListener('click', function () {
    fSev.value = ''; fStatus.value = ''; fRule.value = ''; fSub.value = ''; fText.value = '';
    apply();
  });
  document.documentElement.classList.add('js');
  apply();
  document.documentElement.dataset.ready = 'true';
  }
})();
`;

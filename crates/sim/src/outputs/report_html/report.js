// ecsim report: the cursor across the charts and the timeline of one moment. Reads the run
// from the JSON block above; needs nothing from the network.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ecsim-data').textContent);
  var PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7F7F7F', '#000000'];
  var RECENT_MS = 10 * 60 * 1000;

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) { s = '0' + s; }
    return s;
  }

  // 1d 02:00:00, as the report writes moments.
  function clock(ms) {
    var days = Math.floor(ms / 86400000);
    var text = days > 0 ? days + 'd ' : '';
    text += pad(Math.floor(ms / 3600000) % 24, 2) + ':' + pad(Math.floor(ms / 60000) % 60, 2) + ':' +
      pad(Math.floor(ms / 1000) % 60, 2);
    if (ms % 1000 > 0) { text += '.' + pad(ms % 1000, 3); }
    return text;
  }

  // "1d 02:00:00", "02:00:00", "90" (seconds), "1d"; null when unreadable.
  function parseClock(text) {
    var m = /^\s*(?:(\d+)d)?\s*(?:(\d+):(\d+)(?::(\d+(?:\.\d+)?))?)?\s*$/.exec(text);
    if (!m || (m[1] === undefined && m[2] === undefined)) {
      var seconds = Number(text);
      return text.trim() !== '' && isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
    }
    var ms = (Number(m[1] || 0) * 86400 + Number(m[2] || 0) * 3600 + Number(m[3] || 0) * 60) * 1000;
    return ms + Math.round(Number(m[4] || 0) * 1000);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function number(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  // The value of a level at `t`: points are [t0, v0, t1, v1, ...] in time order.
  function valueAt(points, t) {
    var lo = 0, hi = points.length / 2 - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (points[2 * mid] <= t) { lo = mid; } else { hi = mid - 1; }
    }
    return points[2 * lo + 1];
  }

  var levels = {};
  data.levels.forEach(function (level) { levels[level.series + ':' + level.key] = level.points; });
  function level(series, key, t) {
    var points = levels[series + ':' + key];
    return points ? valueAt(points, t) : 0;
  }

  // Tasks by instance, and every moment something changed, for stepping.
  var tasksByInstance = {};
  var changes = [0, data.end];
  data.tasks.forEach(function (task) {
    (tasksByInstance[task[1]] = tasksByInstance[task[1]] || []).push(task);
    for (var i = 3; i < 7; i++) { if (task[i] !== null) { changes.push(task[i]); } }
  });
  data.instances.forEach(function (instance) {
    changes.push(instance[3]);
    if (instance[4] !== null) { changes.push(instance[4]); }
  });
  data.outages.forEach(function (outage) {
    changes.push(outage[1]);
    if (outage[2] !== null) { changes.push(outage[2]); }
  });
  if (data.detail !== 'tasks') {
    data.levels.forEach(function (level) {
      for (var i = 0; i < level.points.length; i += 2) { changes.push(level.points[i]); }
    });
  }
  changes.sort(function (a, b) { return a - b; });
  changes = changes.filter(function (t, i) { return t <= data.end && (i === 0 || t !== changes[i - 1]); });

  var slider = document.getElementById('t-slider');
  var text = document.getElementById('t-text');
  var moment = document.getElementById('moment');
  var charts = Array.prototype.slice.call(document.querySelectorAll('svg.chart'));
  slider.max = String(data.end);
  var current = 0;

  function outageAt(zone, t) {
    for (var i = 0; i < data.outages.length; i++) {
      var o = data.outages[i];
      if (o[0] === zone && o[1] <= t && (o[2] === null || t < o[2])) { return o; }
    }
    return null;
  }

  function taskState(task, t) {
    if (task[4] === null || t < task[4]) { return task[5] !== null && t >= task[5] ? 'stopping' : 'pending'; }
    if (task[5] === null || t < task[5]) { return 'running'; }
    return 'stopping';
  }

  function groupLabel(name) {
    return name.replace(/^(service|family):/, '');
  }

  function render(t) {
    var html = '<h3>At ' + clock(t) + '</h3>';
    data.services.forEach(function (name, key) {
      var running = level('running', key, t), desired = level('desired', key, t), healthy = level('healthy', key, t);
      html += '<p class="service-state' + (running < desired ? ' below' : '') + '">Service <b>' + escapeHtml(name) +
        '</b>: ' + running + ' running of ' + desired + ' desired, ' + healthy + ' healthy' +
        (running < desired ? ' (below its desired count)' : '') + '</p>';
    });
    if (data.groups.length > 0) {
      html += '<div class="group-legend">Tasks: ';
      data.groups.forEach(function (group, index) {
        html += '<span class="task" style="--group:' + PALETTE[index % PALETTE.length] + '">' +
          escapeHtml(groupLabel(group)) + '</span>';
      });
      html += '<span class="task pending" style="--group:#555">pending</span>' +
        '<span class="task stopping" style="--group:#555">stopping</span></div>';
    }
    html += '<div class="zones">';
    data.zones.forEach(function (zone, z) {
      var outage = outageAt(z, t);
      html += '<div class="zone' + (outage ? ' down' : '') + '" style="--zone:' + PALETTE[z % PALETTE.length] + '">';
      html += '<h4>' + escapeHtml(zone) + '</h4>';
      if (outage) {
        html += '<span class="down-note">zone out from ' + clock(outage[1]) + ' to ' +
          (outage[2] === null ? 'the end' : clock(outage[2])) + '</span>';
      }
      html += '<div class="counts">' + level('instances', z, t) + ' instance(s) · CPU ' +
        number(level('reservedCpu', z, t)) + ' of ' + number(level('registeredCpu', z, t)) + ' units · memory ' +
        number(level('reservedMemory', z, t)) + ' of ' + number(level('registeredMemory', z, t)) + ' MiB reserved</div>';
      if (data.detail !== 'counts') {
        var shown = 0;
        data.instances.forEach(function (instance, index) {
          if (instance[1] !== z || instance[3] > t) { return; }
          var gone = instance[4] !== null && instance[4] <= t;
          // Lost instances stay in view for a while, and while their zone is out.
          if (gone && t - instance[4] > RECENT_MS && !(outage && instance[4] >= outage[1])) { return; }
          shown++;
          html += '<div class="instance' + (gone ? ' gone' : '') + '"><span class="name">' + escapeHtml(instance[0]) +
            '</span><span class="type">' + escapeHtml(instance[2]) + (gone ? ', lost at ' + clock(instance[4]) +
            ' (' + escapeHtml(instance[5]) + ')' : ', since ' + clock(instance[3])) + '</span>';
          if (!gone && data.detail === 'tasks') {
            var chips = '';
            (tasksByInstance[index] || []).forEach(function (task) {
              if (task[3] > t || (task[6] !== null && task[6] <= t)) { return; }
              var state = taskState(task, t);
              chips += '<span class="task ' + state + '" style="--group:' + PALETTE[task[2] % PALETTE.length] +
                '" title="t-' + pad(task[0], 6) + ' ' + escapeHtml(data.groups[task[2]]) + ', ' +
                state.toUpperCase() + ', placed at ' + clock(task[3]) + '">' + escapeHtml(groupLabel(data.groups[task[2]])) +
                '</span>';
            });
            html += '<div class="tasks">' + (chips || '<span class="empty">no tasks</span>') + '</div>';
          }
          html += '</div>';
        });
        if (shown === 0) { html += '<p class="empty">no instances</p>'; }
      }
      html += '</div>';
    });
    html += '</div>';
    moment.innerHTML = html;
  }

  // A chart's plot area in its viewBox, and the moments at its edges.
  function chartWindow(svg) {
    return {
      x0: Number(svg.getAttribute('data-x0')), x1: Number(svg.getAttribute('data-x1')),
      start: Number(svg.getAttribute('data-start')), end: Number(svg.getAttribute('data-end'))
    };
  }

  function setMoment(t) {
    current = Math.max(0, Math.min(data.end, Math.round(t)));
    slider.value = String(current);
    text.value = clock(current);
    charts.forEach(function (svg) {
      var area = chartWindow(svg);
      var cursor = svg.querySelector('.cursor');
      if (!cursor) { return; }
      var inside = current >= area.start && current <= area.end && area.end > area.start;
      var x = inside ? area.x0 + (area.x1 - area.x0) * (current - area.start) / (area.end - area.start) : area.x0;
      cursor.setAttribute('x1', x.toFixed(1));
      cursor.setAttribute('x2', x.toFixed(1));
      cursor.setAttribute('visibility', inside ? 'visible' : 'hidden');
    });
    render(current);
  }

  slider.addEventListener('input', function () { setMoment(Number(slider.value)); });
  text.addEventListener('change', function () {
    var t = parseClock(text.value);
    if (t === null) { text.value = clock(current); } else { setMoment(t); }
  });
  document.getElementById('t-prev').addEventListener('click', function () {
    var before = changes.filter(function (c) { return c < current; });
    setMoment(before.length ? before[before.length - 1] : 0);
  });
  document.getElementById('t-next').addEventListener('click', function () {
    var after = changes.filter(function (c) { return c > current; });
    setMoment(after.length ? after[0] : data.end);
  });
  charts.forEach(function (svg) {
    svg.addEventListener('click', function (event) {
      var box = svg.getBoundingClientRect();
      var x = (event.clientX - box.left) * svg.viewBox.baseVal.width / box.width;
      var area = chartWindow(svg);
      if (x < area.x0 || x > area.x1) { return; }
      setMoment(area.start + (x - area.x0) / (area.x1 - area.x0) * (area.end - area.start));
      document.getElementById('timeline').scrollIntoView({ behavior: 'smooth' });
    });
  });

  setMoment(data.start);
  document.body.setAttribute('data-rendered', 'yes');
})();

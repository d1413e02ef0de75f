// switchyard web UI: the only script. Every page works without it; it adds
// (1) "busy" feedback and no double submit on slow forms, and (2) live
// progress on the progress page and live lines on the Logs page, from the server's event stream.
(function () {
  'use strict';

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-busy')) return;
    if (form.getAttribute('data-sent')) return event.preventDefault();
    form.setAttribute('data-sent', '1');
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      button.setAttribute('aria-disabled', 'true');
      button.textContent = form.getAttribute('data-busy');
    }
  });

  // Times: the daemon writes them in the zone this browser names in the switchyard_tz cookie (its own zone
  // until then). The login page, which shows no time, sets it, so every page after it reads in local time.
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && zone !== document.documentElement.getAttribute('data-tz')) {
    // biome-ignore lint/suspicious/noDocumentCookie: one plain value; the Cookie Store API is not in every browser
    document.cookie = 'switchyard_tz=' + encodeURIComponent(zone) + '; Path=/; Max-Age=31536000; SameSite=Strict';
  }

  // A page that shows a running operation (the Overview) reloads itself until it ends.
  var refresh = document.querySelector('[data-refresh]');
  if (refresh) setTimeout(function () { location.reload(); }, Number(refresh.getAttribute('data-refresh')) * 1000);

  var root = document.querySelector('[data-events]');
  if (!root || !window.EventSource) return;
  var steps = document.getElementById('steps');
  var pulls = document.getElementById('pulls');
  var log = document.getElementById('log');
  var live = document.getElementById('live-status');
  var source = new EventSource(root.getAttribute('data-events'));

  // Rows arrive as markup rendered (and escaped) by the server.
  function element(markup) {
    var template = document.createElement('template');
    template.innerHTML = markup.trim();
    return template.content.firstElementChild;
  }
  function replaceOrAppend(parent, fresh, old) {
    if (old) old.replaceWith(fresh);
    else parent.appendChild(fresh);
  }
  // "Image pulls" appears with the first pull, not as an empty heading.
  function showPulls() {
    var section = document.getElementById('pulls-section');
    if (section) section.hidden = false;
  }
  function on(name, handle) {
    source.addEventListener(name, function (event) { handle(JSON.parse(event.data)); });
  }

  on('step', function (d) {
    var row = element(d.html);
    replaceOrAppend(steps, row, document.getElementById(row.id));
    if (live) live.textContent = 'Step ' + d.name + ': ' + d.status;
  });
  on('facts', function (d) {
    var facts = document.getElementById('facts');
    if (facts) facts.replaceWith(element(d.html));
  });
  on('snapshot', function (d) {
    log.textContent = d.lines.length ? d.lines.join('\n') + '\n' : '';
    if (pulls) pulls.innerHTML = d.pullsHtml || '';
    if (d.pullsHtml) showPulls();
  });
  on('progress', function (d) {
    var old = Array.prototype.find.call(pulls.children, function (li) { return li.getAttribute('data-image') === d.image; });
    replaceOrAppend(pulls, element(d.html), old);
    showPulls();
  });
  on('log', function (d) {
    var following = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    log.append(d.line + '\n');
    if (following) log.scrollTop = log.scrollHeight;
  });
  // The Logs page: its stream ends when the container stops (reconnecting would only replay the same lines).
  on('end', function (d) {
    source.close();
    if (live) live.textContent = d.text;
  });
  on('done', function () {
    source.close();
    if (live) live.textContent = 'Finished. Loading the result…';
    location.reload(); // the server renders the final state from the journal
  });

  // Running steps show their time so far.
  setInterval(function () {
    var cells = document.querySelectorAll('td[data-started]');
    for (var i = 0; i < cells.length; i++) {
      var seconds = (Date.now() - Date.parse(cells[i].getAttribute('data-started'))) / 1000;
      cells[i].textContent = seconds < 60 ? seconds.toFixed(0) + ' s…' : Math.floor(seconds / 60) + ' min ' + Math.floor(seconds % 60) + ' s…';
    }
  }, 1000);
})();

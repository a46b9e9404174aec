// reportparse serve: the little the pages do in the browser. No data from a report ever
// reaches this script as code: it reads only our own data- attributes and JSON answers.
(function () {
  'use strict';

  // --- start page: drag and drop, upload with progress ---
  var form = document.getElementById('upload');
  if (form) {
    var drop = document.getElementById('drop');
    var input = document.getElementById('files');
    var box = document.getElementById('upload-progress');
    ['dragenter', 'dragover'].forEach(function (name) {
      drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (name) {
      drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
    });
    form.addEventListener('submit', function (e) {
      if (!window.FormData || !window.XMLHttpRequest) return; // a plain form post then
      e.preventDefault();
      var xhr = new XMLHttpRequest();
      var bar = box.querySelector('progress');
      var label = box.querySelector('.label');
      box.hidden = false;
      xhr.upload.addEventListener('progress', function (ev) {
        if (ev.lengthComputable) {
          bar.value = Math.round(100 * ev.loaded / ev.total);
          label.textContent = '上传中：' + bar.value + '%';
        }
      });
      xhr.addEventListener('load', function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = {}; }
        if (xhr.status === 200 && answer.url) {
          label.textContent = '上传完成，开始检查…';
          window.location.assign(answer.url);
        } else {
          label.textContent = answer.error || ('上传失败（' + xhr.status + '）');
          label.classList.add('error');
        }
      });
      xhr.addEventListener('error', function () {
        label.textContent = '上传失败：连接中断';
        label.classList.add('error');
      });
      xhr.open('POST', form.action);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.send(new FormData(form));
    });
  }

  // --- batch overview: progress while the batch runs, then the results ---
  var progress = document.getElementById('batch-progress');
  if (progress) {
    var url = progress.getAttribute('data-url');
    var meter = progress.querySelector('progress');
    var text = progress.querySelector('.label');
    var poll = function () {
      var xhr = new XMLHttpRequest();
      xhr.open('GET', url);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.addEventListener('load', function () {
        var s;
        try { s = JSON.parse(xhr.responseText); } catch (err) { s = null; }
        if (!s) { window.setTimeout(poll, 2000); return; }
        meter.max = Math.max(s.total, 1);
        meter.value = s.done;
        text.textContent = s.label + '：' + s.done + ' / ' + (s.total || '?');
        progress.setAttribute('data-done', String(s.done));
        if (s.state === 'done' || s.state === 'failed') window.location.reload();
        else window.setTimeout(poll, 700);
      });
      xhr.addEventListener('error', function () { window.setTimeout(poll, 2000); });
      xhr.send();
    };
    window.setTimeout(poll, 300);
  }

  // --- report page: a link to a cell inside a folded part opens it and brings it into view ---
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id && document.getElementById(id);
    for (var d = el; d; d = d.parentElement) if (d.tagName === 'DETAILS') d.open = true;
    if (el) el.scrollIntoView({block: 'center'});
  }
  window.addEventListener('hashchange', reveal);
  if (document.body.getAttribute('data-page') === 'report') reveal();
  document.body.setAttribute('data-ready', '1');
})();

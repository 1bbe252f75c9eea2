/* The report form's site photo: the chosen or just-taken picture is shown as a thumbnail before it is sent, then
   sent with XMLHttpRequest so that a progress bar follows the upload (a phone on a site's mobile network can take
   a while). Without JavaScript the form is posted as it is and the page comes back with the result. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-photo-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var input = form.querySelector('input[type="file"]');
  var preview = form.querySelector("#photo-preview");
  var progress = form.querySelector("#photo-progress");
  var status = form.querySelector("#photo-status");
  var button = form.querySelector("#photo-submit");
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
  var maxText = form.getAttribute("data-max-text") || "";
  var FORMATS = ["image/jpeg", "image/png"];
  var urls = [];

  function say(text, kind) {
    status.textContent = text;
    status.className = "small" + (kind ? " text-" + kind : "");
  }

  function sizeText(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function problemOf(file) {
    if (FORMATS.indexOf(file.type) < 0) {
      return "“" + file.name + "”不是 JPG/PNG 照片，请换一张（手机相机请设为 JPG 格式）。";
    }
    if (maxBytes && file.size > maxBytes) {
      return "“" + file.name + "”超过 " + maxText + "，请压缩后再上传。";
    }
    return "";
  }

  function showPreview() {
    urls.forEach(function (url) { URL.revokeObjectURL(url); });
    urls = [];
    preview.textContent = "";
    progress.hidden = true;
    progress.value = 0;
    say("", "");
    var files = Array.prototype.slice.call(input.files || []);
    files.forEach(function (file) {
      var figure = document.createElement("figure");
      figure.className = "td-photo-thumb";
      if (file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        var url = URL.createObjectURL(file);
        urls.push(url);
        img.src = url;
        img.alt = file.name;
        figure.appendChild(img);
      }
      var caption = document.createElement("figcaption");
      caption.textContent = file.name + " · " + sizeText(file.size);
      figure.appendChild(caption);
      preview.appendChild(figure);
    });
    var problem = files.map(problemOf).filter(Boolean)[0];
    if (problem) {
      say(problem, "danger");
    } else if (files.length) {
      say("已选择，点“上传”发送。", "muted");
    }
  }

  function finish(ok, message) {
    button.disabled = false;
    input.disabled = false;
    if (!ok) {
      progress.hidden = true;
      say(message, "danger");
    }
  }

  function upload(event) {
    var file = input.files && input.files[0];
    if (!file) {
      return; // the browser's own "please choose a file", or the server's message
    }
    event.preventDefault();
    var problem = problemOf(file);
    if (problem) {
      say(problem, "danger");
      return;
    }
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        progress.value = Math.round((e.loaded / e.total) * 100);
        progress.textContent = progress.value + "%";
        say("正在上传… " + progress.value + "%", "muted");
      }
    };
    xhr.onload = function () {
      var answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (e) {
        answer = null;
      }
      if (answer && answer.ok) {
        progress.value = 100;
        say(answer.message, "success");
        window.location.assign(answer.redirect);
      } else if (answer && answer.message) {
        finish(false, answer.message);
      } else {
        finish(false, "上传未成功（服务器返回 " + xhr.status + "），请刷新页面后重试。");
      }
    };
    xhr.onerror = function () {
      finish(false, "网络中断，照片未上传，请在网络恢复后重试。");
    };
    xhr.ontimeout = xhr.onerror;
    button.disabled = true;
    input.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    say("正在上传… 0%", "muted");
    xhr.send(data);
  }

  input.addEventListener("change", showPreview);
  form.addEventListener("submit", upload);
})();

// 报送: a file dropped on the drop zone becomes the form's file (the
// chooser keeps working without this script).
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  var chosen = document.getElementById("chosen");
  function show() {
    chosen.textContent = input.files.length ? "已选择：" + input.files[0].name : "";
  }
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    var files = e.dataTransfer && e.dataTransfer.files;
    if (!files || !files.length) { return; }
    if (files.length > 1) {
      chosen.textContent = "一次只能上传一个文件，请只拖入一个。";
      return;
    }
    input.files = files;
    show();
  });
  input.addEventListener("change", show);
})();

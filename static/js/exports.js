// Season export progress: poll each running job's JSON record until it is done or failed.
(function () {
  "use strict";
  function text(job) {
    if (job.state === "done") { return "已完成"; }
    if (job.state === "failed") { return "失败：" + job.error; }
    return "进行中：读取 " + job.collected + "/" + job.total + "，生成 " + job.rendered + "/" + job.total;
  }
  function poll(row) {
    const id = row.getAttribute("data-job");
    window.pingshen.api("/api/exports/season/" + encodeURIComponent(id)).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (job) {
      const bar = row.querySelector("progress");
      bar.max = Math.max(job.total * 2, 1);
      bar.value = job.collected + job.rendered;
      row.querySelector(".job-status").textContent = text(job);
      row.setAttribute("data-state", job.state);
      if (job.state === "done") {
        const link = document.createElement("a");
        link.href = "/exports/season/" + encodeURIComponent(id) + "/download";
        link.setAttribute("download", "");
        link.textContent = "下载 .zip";
        row.querySelector(".job-link").replaceChildren(link);
      } else if (job.state === "running") {
        window.setTimeout(function () { poll(row); }, 1500);
      }
    }).catch(function () {
      window.setTimeout(function () { poll(row); }, 5000);
    });
  }
  document.querySelectorAll("tr.season-job[data-state='running']").forEach(poll);
})();

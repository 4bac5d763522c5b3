// Season plan progress: poll the solve's progress record until the plan leaves "solving", then reload.
(function () {
  "use strict";
  const box = document.getElementById("plan-progress");
  if (!box) { return; }
  const id = box.getAttribute("data-plan");
  function poll() {
    window.pingshen.api("/api/plans/" + encodeURIComponent(id) + "/progress").then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (p) {
      box.querySelector("progress").value = p.percent || 0;
      box.querySelector(".job-status").textContent = p.message || "";
      if (p.status !== "solving") { window.location.reload(); return; }
      window.setTimeout(poll, 1000);
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();

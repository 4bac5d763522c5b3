// Score sheet (评分表): range checks as the member types, subtotals, and autosave of the draft.
// Autosave sends the version the page holds; a save from another tab bumps it, and the server
// then refuses instead of overwriting — this page stops saving and says so.
(function () {
  "use strict";
  const form = document.getElementById("scoresheet");
  if (!form) { return; }
  const editable = form.dataset.editable === "yes";
  const sheetId = form.dataset.sheet;
  const versionInput = document.getElementById("sheet-version");
  const status = document.getElementById("autosave-status");
  const scores = Array.from(form.querySelectorAll("input.score"));
  const comments = Array.from(form.querySelectorAll("input.comment"));
  // 否决项: a 是/否 answer per bid (radio pair), sent as 1 (否) or 0 (是); never part of a subtotal.
  const answers = Array.from(form.querySelectorAll("input.veto-answer"));
  let timer = null;
  let inFlight = null;
  let dirty = false;
  let stopped = false;

  function say(text, kind) {
    status.textContent = text;
    status.className = "autosave" + (kind ? " " + kind : "");
  }

  function check(input) {
    const text = input.value.trim();
    const max = Number(input.dataset.max);
    let message = "";
    if (text !== "") {
      if (!/^\d+(\.\d{1,2})?$/.test(text)) {
        message = "请输入不小于 0 的数字，最多两位小数";
      } else if (Number(text) > max) {
        message = "得分须在 0–" + input.dataset.max + " 分之间";
      }
    }
    const slot = document.getElementById("e-" + input.dataset.bid + "-" + input.dataset.criterion);
    if (slot) { slot.textContent = message; }
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    return message === "";
  }

  function subtotals() {
    const sums = {};
    scores.forEach(function (input) {
      const bid = input.dataset.bid;
      const value = Number(input.value.trim());
      if (!(bid in sums)) { sums[bid] = 0; }
      const counted = input.value.trim() !== "" && !input.hasAttribute("aria-invalid") && !Number.isNaN(value);
      if (counted) { sums[bid] += Math.round(value * 100); }
    });
    form.querySelectorAll(".subtotal").forEach(function (cell) {
      cell.textContent = ((sums[cell.dataset.bid] || 0) / 100).toFixed(2);
    });
  }

  function payload() {
    const byKey = {};
    comments.forEach(function (c) { byKey[c.name.slice(2)] = c.value; });
    const questions = {};
    answers.forEach(function (radio) {
      const key = radio.dataset.bid + "-" + radio.dataset.criterion;
      if (!(key in questions)) {
        questions[key] = { bid: Number(radio.dataset.bid), criterion: Number(radio.dataset.criterion),
                           value: null, comment: byKey[key] || "" };
      }
      if (radio.checked) { questions[key].value = radio.value; }
    });
    return {
      version: Number(versionInput.value),
      scores: scores.map(function (input) {
        const key = input.dataset.bid + "-" + input.dataset.criterion;
        return { bid: Number(input.dataset.bid), criterion: Number(input.dataset.criterion),
                 value: input.value.trim() === "" ? null : input.value.trim(), comment: byKey[key] || "" };
      }).concat(Object.keys(questions).map(function (key) { return questions[key]; })),
    };
  }

  function save(keepalive) {
    if (stopped || !dirty) { return Promise.resolve(); }
    if (!scores.every(check)) { say("有分数超出范围或格式不对，改正后才会自动保存", "bad"); return Promise.resolve(); }
    dirty = false;
    say("正在保存…");
    inFlight = window.pingshen.api("/api/scoring/sheets/" + sheetId + "/draft", {
      method: "POST", keepalive: !!keepalive,
      headers: { "content-type": "application/json" }, body: JSON.stringify(payload()),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          versionInput.value = body.version;
          say("已自动保存（" + new Date().toLocaleTimeString("zh-CN") + "）", "ok");
        } else if (response.status === 409) {
          stopped = true;
          say(body.detail + "", "bad");
        } else {
          say("未保存：" + (body.detail || response.status), "bad");
        }
      });
    }).catch(function () {
      dirty = true;
      say("网络异常，草稿暂未保存，将自动重试", "bad");
      schedule();
    }).finally(function () { inFlight = null; });
    return inFlight;
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; save(false); }, 1200);
  }

  scores.forEach(function (input) {
    input.addEventListener("input", function () { check(input); subtotals(); dirty = true; schedule(); });
    check(input);
  });
  comments.forEach(function (c) { c.addEventListener("input", function () { dirty = true; schedule(); }); });
  answers.forEach(function (radio) { radio.addEventListener("change", function () { dirty = true; schedule(); }); });
  subtotals();
  if (!editable) { return; }

  // Leaving the page (closing the tab, the browser, or the phone locking): save what is pending.
  window.addEventListener("pagehide", function () { if (dirty) { save(true); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) { save(true); }
  });

  // The form posts the version it holds: let a pending autosave finish first, then submit.
  let confirmed = false;
  form.addEventListener("submit", function (event) {
    const button = event.submitter;
    const text = button && button.dataset.confirmSubmit;
    if (text && !confirmed && !window.confirm(text)) { event.preventDefault(); return; }
    if (timer || inFlight) {
      event.preventDefault();
      if (timer) { clearTimeout(timer); timer = null; }
      Promise.resolve(inFlight).then(function () { return save(false); }).then(function () {
        confirmed = true;
        form.requestSubmit(button);
      });
    }
  });
})();

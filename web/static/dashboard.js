// Draws the dashboard's charts with ECharts (SVG, no animation) from the
// /api JSON of the page: every <div class="chart" data-api data-chart>.
// Lines differ by dash and symbol and are named at their ends, bars carry
// their values, so no chart relies on colour alone; gaps are 未报送.
(function () {
  "use strict";
  var cache = {};
  function load(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      });
    }
    return cache[url];
  }
  var colours = ["#1f5fa8", "#b3261e", "#6b8fc7", "#d9827b", "#2e7d32", "#8d6e63"];
  var symbols = ["circle", "rect", "triangle", "diamond", "pin", "arrow"];
  var bad = { "不合格": true };

  function option(c) {
    var horizontal = !!c.horizontal;
    var points = c.x ? c.x.length : 0;
    var category = { type: "category", data: c.x, inverse: horizontal,
      axisLabel: { color: "#222", fontSize: 12, interval: horizontal || points <= 12 ? 0 : "auto" } };
    if (!horizontal && points <= 12) {
      category.axisLabel.width = 84;
      category.axisLabel.overflow = "break";
    }
    var values = (c.axes || [{ name: "" }]).map(function (a, i) {
      return { type: "value", name: a.name, inverse: !!a.inverse, min: a.min, position: i ? "right" : "left",
        splitLine: { show: i === 0 }, axisLabel: { color: "#222" }, minInterval: a.inverse ? 1 : 0 };
    });
    var series = c.series.map(function (s, i) {
      var out = { name: s.name, type: s.type, data: s.data, connectNulls: false, animation: false,
        itemStyle: { color: colours[i % colours.length] } };
      if (!horizontal) { out.yAxisIndex = s.axis || 0; }
      if (s.type === "line") {
        out.symbol = symbols[i % symbols.length];
        out.symbolSize = 7;
        out.lineStyle = { type: s.dashed ? "dashed" : "solid", width: s.dashed ? 1.5 : 2.5 };
        out.endLabel = { show: true, formatter: "{a}", color: "#222", fontSize: 11 };
        out.label = { show: points <= 12, position: "top", color: "#222", fontSize: 11 };
      } else {
        out.label = { show: points * c.series.length <= 60, position: horizontal ? "right" : "top", color: "#222", fontSize: 11 };
        out.barMaxWidth = 28;
        if (s.marks) {
          out.data = s.data.map(function (v, j) {
            var mark = s.marks[j] || "";
            var veto = mark.indexOf("否决") === 0;
            return { value: v, mark: mark, itemStyle: { color: veto || bad[mark] ? "#b3261e" : "#1f5fa8" } };
          });
          out.label.show = true;
          out.label.formatter = function (p) { return p.value + "  " + p.data.mark; };
        }
      }
      return out;
    });
    var grid = { left: horizontal ? 110 : 60, right: horizontal ? 120 : 150, top: 100, bottom: 64, containLabel: false };
    return {
      animation: false,
      title: { text: c.title, subtext: c.note || "", left: 0, textStyle: { fontSize: 15, color: "#222" }, subtextStyle: { color: "#555" } },
      legend: { bottom: 0, left: "center", textStyle: { color: "#222" } },
      tooltip: { trigger: "axis" },
      grid: grid,
      xAxis: horizontal ? values : category,
      yAxis: horizontal ? category : values,
      series: series
    };
  }

  var charts = [];
  function draw(el) {
    load(el.getAttribute("data-api")).then(function (data) {
      var c = (data.charts || []).filter(function (c) { return c.id === el.getAttribute("data-chart"); })[0];
      if (!c) { throw new Error("no chart " + el.getAttribute("data-chart")); }
      if (c.horizontal) { el.style.height = (c.x.length * 26 + 110) + "px"; }
      var chart = echarts.init(el, null, { renderer: "svg", locale: "ZH" });
      chart.setOption(option(c));
      charts.push(chart);
      el.setAttribute("data-drawn", String(c.series.length));
    }).catch(function (err) {
      el.textContent = "图表数据加载失败：" + err.message;
      el.setAttribute("data-failed", "1");
    });
  }
  document.querySelectorAll(".chart[data-api][data-chart]").forEach(draw);
  function resize() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();

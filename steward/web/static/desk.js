/* The desk's few lines of JavaScript; every page works without them.
   Logging a call: choosing another caller fills in their number, unless one was typed. */
document.addEventListener("change", function (event) {
  var chosen = event.target;
  if (!chosen.matches || !chosen.matches("input[type=radio][name=person]")) return;
  var number = document.getElementById("f-number");
  if (!number) return;
  var offered = Array.prototype.map.call(
    document.querySelectorAll("input[name=person][data-phone]"),
    function (radio) { return radio.getAttribute("data-phone"); }
  );
  if (number.value === "" || offered.indexOf(number.value) !== -1) {
    number.value = chosen.getAttribute("data-phone") || "";
  }
});

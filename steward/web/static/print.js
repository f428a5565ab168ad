/* The published documents' Print button (a script of its own: pages run no inline code). */
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});

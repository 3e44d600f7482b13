// Kassa's pay page inside <kassa-pay>'s overlay on a merchant's site. It tells the element
// when a page of it is shown (the element then asks Kassa where the invoice stands: a hint
// only, the element believes what Kassa answers, the merchant's server the signed webhook),
// and passes Escape on, so that the overlay closes from the keyboard wherever the focus is.
// Only the sites the widget token names may frame these pages (frame-ancestors), so the
// messages go to one of them.
(function () {
  if (window.parent === window) return;
  const tell = (kassa) => window.parent.postMessage({ kassa }, '*');
  tell('shown');
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') tell('close'); });
})();

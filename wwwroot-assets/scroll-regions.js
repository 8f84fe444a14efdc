// A table too wide for a phone scrolls inside MudBlazor's .mud-table-container; a keyboard user can only scroll it if the
// box can take focus (WCAG 2.1.1, axe "scrollable-region-focusable"). MudTable offers no attributes for that box, so every
// page gets them here: while a box scrolls it is a focusable, named region (arrow keys scroll it); when it fits, it is not.
(() => {
  const marker = 'data-mp-scroll-region';

  const nameOf = box => {
    const table = box.querySelector('table');
    const own = table?.getAttribute('aria-label') || table?.querySelector('caption')?.textContent?.trim();
    if (own) return own;
    for (let e = box.parentElement; e && e !== document.body; e = e.parentElement) {
      const label = e.getAttribute('aria-label');
      if (label) return label;
      const heading = e.querySelector('h2, h3, h4, h5, h6');
      if (heading && heading.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) return heading.textContent.trim();
    }
    return 'Table';
  };

  const mark = () => {
    for (const box of document.querySelectorAll('.mud-table-container')) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute('tabindex')) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        box.setAttribute('aria-label', `${nameOf(box)} (scrolls sideways)`);
        box.setAttribute(marker, '');
      } else if (!scrolls && box.hasAttribute(marker)) {
        for (const a of ['tabindex', 'role', 'aria-label', marker]) box.removeAttribute(a);
      }
    }
  };

  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; mark(); });
  };
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  addEventListener('resize', schedule);
  schedule();
})();

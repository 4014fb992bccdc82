/** The tab title: the page's name, led by the count of alerts that arrived unseen. */

let page = 'Vigie';
let unseen = 0;

function render(): void {
  document.title = `${unseen > 0 ? `(${String(unseen)}) ` : ''}${page} · Vigie`;
}

/** Names the page in the tab title. */
export function setPageTitle(title: string): void {
  page = title;
  render();
}

/** Sets the count of unseen live arrivals. */
export function setUnseen(count: number): void {
  unseen = count;
  render();
}

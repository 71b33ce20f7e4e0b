// The console's directory: flag an entry its partner has not confirmed in six months (issue 13).
import { t } from './i18n.js';

export function dueNote(org) {
  if (!org || org.due !== true) { return null; }
  const note = document.createElement('p');
  note.className = 'hint cp-org-due';
  const when = org.checked ? String(org.checked) : t('directory.never_confirmed', 'aldrig');
  note.textContent = t('directory.due', 'Inte bekräftad på sex månader') + ' (' + when + ')';
  return note;
}

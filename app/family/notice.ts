// Where the family page goes after a change: the page itself, with the notice
// (one of its NOTICES) and the member it is about in the URL.
import { BASE_PATH } from '@/lib/constants';

export function familyNotice(notice: string, user: string): string {
  return `${BASE_PATH}/family?notice=${encodeURIComponent(notice)}&user=${encodeURIComponent(user)}`;
}

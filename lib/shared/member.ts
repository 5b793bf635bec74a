// One member of the family as it crosses a boundary: the helper's list-members
// answer (for the terminal's jupyterhub-members) and the panel's family API (the
// pages). Both fill it from the same parser and the same protection rule.
import type { ProtectedReason } from './protection';

export interface Member {
  user: string;
  uid: number;
  /** The first GECOS field, or ''. */
  fullName: string;
  /** The password is locked (shadow "!"); null when the reader cannot read /etc/shadow. */
  locked: boolean | null;
  protected: boolean;
  /** Why the panel may not change this account (lib/shared/protection.ts), or null. */
  protectedReason: ProtectedReason | null;
  /** A member of jupyterhub_adm: a parent. */
  familyAdmin: boolean;
  /** The panel: its install succeeded (its job record); the helper: the Jupyter entry points are in ~/.local/bin. */
  packagesInstalled: boolean;
  /** Versions of the panel's install, or null (the helper does not know them). */
  packages: Record<string, string> | null;
  /**
   * The panel only: others (or a group other than the member's own) may enter the
   * home folder, so they can open the member's notebooks; null when the home is not
   * a folder the panel can look at. The helper's list does not say.
   */
  homeOpen?: boolean | null;
}

// Groups whose members the panel never touches: they are administrators, or the
// group itself is as good as root (docker, lxd, incus-admin, libvirt and disk
// members can get a root shell). One list, used by the root helper
// (privileged-helper/policy.ts) and by the panel's mirror of its rules
// (lib/account-policy.ts). Root can replace it in /etc/jupyterhub-panel/helper.json.
export const DEFAULT_PROTECTED_GROUPS: readonly string[] = Object.freeze([
  'sudo',
  'adm',
  'wheel',
  'root',
  'shadow',
  'docker',
  'lxd',
  'incus-admin',
  'libvirt',
  'disk',
]);

/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not templates */

/**
 * Killing stray Node processes before a build frees memory in a 1 GiB sandbox. Slim images have no `ps`, `pgrep` or
 * `pkill`, so the script walks `/proc/[0-9]*` itself (killing stray node processes frees memory before a build).
 *
 * Unlike a naive loop, which matched `*node*` anywhere in the command line and so also killed the very shell
 * running it (its own text contains "node"), this one:
 * - matches the program name only (first word of argv[0]: node, nodejs, npm, npx, pnpm, yarn);
 * - never touches its own shell or any ancestor of it;
 * - only kills processes in its own PID namespace (so a driver that shows the host's /proc cannot reach the host).
 * @module
 */

/** The shell script; prints `killed <n> stray node process(es)` and exits 0. */
export const KILL_STRAY_NODE_SCRIPT = [
  "me=$$",
  'keep=" $me "',
  "p=$me",
  // Walk up the parents: PPid is 0 once the parent lives outside our PID namespace.
  'while [ "${p:-0}" -gt 1 ] 2>/dev/null; do',
  "  p=$(awk '/^PPid:/ {print $2}' /proc/$p/status 2>/dev/null)",
  '  [ -n "$p" ] || break',
  '  keep="$keep$p "',
  "done",
  "myns=$(readlink /proc/$me/ns/pid 2>/dev/null)",
  "killed=0",
  "for f in /proc/[0-9]*/cmdline; do",
  "  pid=${f#/proc/}; pid=${pid%/cmdline}",
  '  case "$keep" in *" $pid "*) continue ;; esac',
  '  [ "$(readlink /proc/$pid/ns/pid 2>/dev/null)" = "$myns" ] || continue',
  `  exe=$(tr '\\000' '\\n' < "$f" 2>/dev/null | head -n 1)`,
  "  first=${exe%% *}; name=${first##*/}",
  '  case "$name" in',
  '    node|nodejs|npm|npx|pnpm|yarn) kill -9 "$pid" 2>/dev/null && killed=$((killed + 1)) ;;',
  "  esac",
  "done",
  'echo "killed $killed stray node process(es)"',
].join("\n");

import type { Command } from "commander";

/** What a shell completes: each command's name, its options and its subcommands. */
interface CompletionSpec {
  name: string;
  options: string[];
  commands: CompletionSpec[];
}

function specOf(command: Command): CompletionSpec {
  return {
    name: command.name(),
    options: command.options.flatMap((option) => (option.long ? [option.long] : [])),
    commands: command.commands.map(specOf),
  };
}

/** The words after `sms-mcp <command>`: its subcommands first, then its options. */
const wordsOf = (spec: CompletionSpec) => [...spec.commands.map((c) => c.name), ...spec.options];

function bash(bin: string, root: CompletionSpec): string {
  const fn = `_${bin.replace(/\W/g, "_")}_complete`;
  const cases = root.commands.map((command) => {
    const subcases = command.commands.map(
      (sub) => `        ${sub.name}) words="${sub.options.join(" ")}" ;;`,
    );
    const inner = command.commands.length
      ? `\n      if [ "$COMP_CWORD" -eq 2 ]; then words="${wordsOf(command).join(" ")}"; else\n      case "\${COMP_WORDS[2]}" in\n${subcases.join("\n")}\n      esac; fi ;;`
      : ` words="${command.options.join(" ")}" ;;`;
    return `    ${command.name})${inner}`;
  });
  return `# ${bin} completion for bash: eval "$(${bin} completion bash)", or save it under
# ~/.local/share/bash-completion/completions/${bin}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${wordsOf(root).join(" ")}"
  else
    case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn} ${bin}
`;
}

function zsh(bin: string, root: CompletionSpec): string {
  // zsh runs bash completion functions through its own bashcompinit.
  return `# ${bin} completion for zsh: eval "$(${bin} completion zsh)" in ~/.zshrc
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(bin, root).split("\n").slice(2).join("\n")}`;
}

function fish(bin: string, root: CompletionSpec): string {
  const top = root.commands.map((c) => c.name).join(" ");
  const lines = [
    `# ${bin} completion for fish: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f`,
    `complete -c ${bin} -n "not __fish_seen_subcommand_from ${top}" -a "${top}"`,
  ];
  for (const command of root.commands) {
    const seen = `__fish_seen_subcommand_from ${command.name}`;
    if (command.commands.length) {
      const subs = command.commands.map((c) => c.name).join(" ");
      lines.push(
        `complete -c ${bin} -n "${seen}; and not __fish_seen_subcommand_from ${subs}" -a "${subs}"`,
      );
    }
    for (const option of command.options) {
      lines.push(`complete -c ${bin} -n "${seen}" -l ${option.slice(2)}`);
    }
    for (const sub of command.commands) {
      for (const option of sub.options) {
        lines.push(
          `complete -c ${bin} -n "${seen}; and __fish_seen_subcommand_from ${sub.name}" -l ${option.slice(2)}`,
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** A completion script for `shell`, generated from the program's own command definitions. */
export function completionScript(program: Command, shell: Shell): string {
  const root = specOf(program);
  const render = { bash, zsh, fish }[shell];
  return render(root.name, root);
}

# bash completion for glibc-matrix (installed by `make install` as
# share/bash-completion/completions/glibc-matrix).
# shellcheck shell=bash
#
# Nothing about the commands is written here: the driver being completed
# answers.  `glibc-matrix CMD [SUB] --gm-complete-words` prints what may
# follow (subcommands, or the options of its getopt table, with their short
# aliases, NAME= taking a value), and `glibc-matrix __complete KIND` the
# names of the store, the recipes and the method table (harness/cli/complete.c).
# Only which kind of value an option takes is said here.

# The driver as typed (./glibc-matrix, ~/bin/glibc-matrix), else from PATH.
_glibc_matrix_driver() {
	local d=${COMP_WORDS[0]}
	# shellcheck disable=SC2088 # the typed word, whose ~ is not expanded
	[[ $d == "~/"* ]] && d=$HOME/${d#"~/"}
	if [[ $d == */* ]]; then
		[ -x "$d" ] && printf '%s\n' "$d"
	else
		command -v "$d" 2>/dev/null
	fi
}

# _glibc_matrix_values DRIVER CMD OPTION: the candidates for OPTION's value
# (OPTION by its long name), or "-f"/"-d" for file or directory names.
_glibc_matrix_values() {
	local gm=$1 cmd=$2
	case $3 in
	--against)
		"$gm" __complete targets 2>/dev/null
		[ "$cmd" != check ] || echo host
		;;
	--build | --run | --sysroot | --for)
		if [ "$cmd" = flags ]; then
			"$gm" __complete sysroots 2>/dev/null
		else
			"$gm" __complete targets 2>/dev/null
		fi
		;;
	--rootfs)
		"$gm" __complete trees 2>/dev/null
		echo all
		;;
	--method | --route) "$gm" __complete methods 2>/dev/null ;;
	--case) "$gm" __complete cases 2>/dev/null ;;
	--profile) "$gm" __complete manylinux 2>/dev/null ;;
	--max-glibc) "$gm" __complete versions 2>/dev/null ;;
	--arch) printf '%s\n' amd64 arm64 riscv64 ;;
	--format) printf '%s\n' html md junit tap json text ;;
	--out | --dir | --library-path | --report) echo -d ;;
	--output | --baseline | --policy | --hook | --interp) echo -f ;;
	esac
}

# _glibc_matrix_positional DRIVER CMD SUB: candidates for a word that is
# not an option's (or "-f" for file names).
_glibc_matrix_positional() {
	local gm=$1
	case $2/$3 in
	sysroot/show | sysroot/remove) "$gm" __complete sysroots 2>/dev/null ;;
	sysroot/import) "$gm" __complete suites 2>/dev/null ;;
	sysroot/build)
		"$gm" __complete versions 2>/dev/null
		echo -f
		;;
	rootfs/build | rootfs/exec | rootfs/remove) "$gm" __complete trees 2>/dev/null ;;
	sysroot/* | rootfs/* | probes/*) ;;
	report/*)
		echo merge
		echo -f
		;;
	*) echo -f ;;
	esac
}

# COMPREPLY from candidate lines (cur's prefix), "-f"/"-d" meaning names of
# files or directories.
_glibc_matrix_reply() {
	local cur=$1 line files=
	shift
	local words=()
	for line in "$@"; do
		case $line in
		-f) files=f ;;
		-d) [ -n "$files" ] || files=d ;;
		*) words+=("$line") ;;
		esac
	done
	COMPREPLY=()
	local IFS=$'\n'
	[ ${#words[@]} -eq 0 ] || mapfile -t COMPREPLY < <(compgen -W "${words[*]}" -- "$cur")
	if [ -n "$files" ]; then
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen "-$files" -- "$cur")
		# Outside a completion (a test calling the function) compopt fails.
		compopt -o filenames 2>/dev/null || true
	fi
	return 0
}

_glibc_matrix() {
	local gm cur=${COMP_WORDS[COMP_CWORD]} i w
	gm=$(_glibc_matrix_driver) || return 0
	[ -n "$gm" ] || return 0
	# The command path (command, subcommand) and the words of its parser:
	# walk the words before the cursor, skipping options and their values.
	local path=() lines=() dashdash='' opt='' value_of=''
	mapfile -t lines < <("$gm" --gm-complete-words 2>/dev/null)
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		# "--opt=VALUE" comes as "--opt" "=" "VALUE" (COMP_WORDBREAKS).
		if [ -n "$value_of" ] || [ "$w" = = ]; then
			[ "$w" = = ] && value_of=1 || value_of=
			continue
		fi
		if [ "$w" = -- ]; then
			dashdash=1
			break
		fi
		if [[ $w == -* ]]; then
			# An option taking a value, written apart: its value is next.
			for opt in "${lines[@]}"; do
				[[ " $opt " == *" $w= "* ]] && value_of=1
			done
			continue
		fi
		# A word that is one of the parser's subcommands goes down one level;
		# anything else is a positional argument.
		if [ ${#path[@]} -eq 0 ] || printf '%s\n' "${lines[@]}" | grep -qx -- "$w"; then
			path+=("$w")
			# `help COMMAND` takes nothing more.
			[ "${path[0]}" != help ] || [ ${#path[@]} -eq 1 ] || break
			mapfile -t lines < <("$gm" "${path[@]}" --gm-complete-words 2>/dev/null)
		fi
	done
	# After `--`, PROGRAM and its arguments: file names.
	if [ -n "$dashdash" ]; then
		_glibc_matrix_reply "$cur" -f
		return 0
	fi
	# The option whose value is being completed: "--opt VALUE", "--opt=VALUE"
	# (COMP_WORDBREAKS splits at '=': "--opt" "=" "VALUE"), or a short alias.
	local prev=${COMP_WORDS[COMP_CWORD - 1]:-} name=
	if [ "$cur" = = ]; then
		name=$prev cur=
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -ge 2 ]; then
		name=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $prev == -* ]]; then
		name=$prev
	fi
	if [ -n "$name" ]; then
		for opt in "${lines[@]}"; do
			[[ " $opt " == *" $name= "* ]] || continue
			opt=${opt%% *}
			local vals
			mapfile -t vals < <(_glibc_matrix_values "$gm" "${path[0]:-}" "${opt%=}")
			_glibc_matrix_reply "$cur" "${vals[@]}"
			return 0
		done
	fi
	local words=()
	for opt in "${lines[@]}"; do
		for w in $opt; do
			words+=("${w%=}")
		done
	done
	if [[ $cur == -* ]]; then
		mapfile -t words < <(printf '%s\n' "${words[@]}" | grep -- '^-')
		_glibc_matrix_reply "$cur" "${words[@]}"
		return 0
	fi
	# A subcommand's place (or `help COMMAND`), else a positional argument.
	local subs
	subs=$(printf '%s\n' "${words[@]}" | grep -v -- '^-') || true
	if [ -n "$subs" ] && { [ ${#path[@]} -le 1 ] || [ "${path[0]}" = help ]; }; then
		[ "${path[0]:-}" != help ] || [ ${#path[@]} -eq 1 ] || return 0
		# shellcheck disable=SC2086
		_glibc_matrix_reply "$cur" $subs
		return 0
	fi
	local vals
	mapfile -t vals < <(_glibc_matrix_positional "$gm" "${path[0]:-}" "${path[1]:-}")
	_glibc_matrix_reply "$cur" "${vals[@]}"
}

complete -F _glibc_matrix glibc-matrix

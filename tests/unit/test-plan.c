/* plan/: the cells of subjects × methods × targets, each with what runs or
 * why not, decided by one function, without reading a file or starting a
 * process (the last test plans under a seccomp filter that kills the
 * process on open, exec or fork). */
#define _GNU_SOURCE
#include "plan/cells.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "tap.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int emulator_calls, binfmt_calls;
static bool have_qemu = true, have_binfmt = true;

static char *fake_emulator(const struct gm_arch *a)
{
	emulator_calls++;
	return have_qemu ? xasprintf("/usr/bin/%s", a->qemu) : NULL;
}

static int fake_binfmt(const struct gm_config *cfg, const struct gm_arch *a, char **why)
{
	(void)cfg;
	binfmt_calls++;
	if (have_binfmt)
		return 1;
	*why = xasprintf("no binfmt_misc entry for %s", a->gnu);
	return 0;
}

static struct plan_machine machine(void)
{
	struct plan_machine m = {.host = arch_by_gnu("x86_64"), .emulator = fake_emulator,
				 .binfmt_ready = fake_binfmt};
	emulator_calls = binfmt_calls = 0;
	return m;
}

static struct sysroot sysroot(const char *name, const char *arch, const char *version)
{
	struct sysroot s = {.name = (char *)name, .arch = (char *)arch,
			    .glibc_version = (char *)version};
	return s;
}

static char *none[] = {NULL};
static struct gm_case hello = {.name = "hello", .runtime = none};
static struct gm_case ext = {.name = "ext", .library = "ext.c", .runtime = none};

static struct probe probe(const struct gm_case *k, const struct sysroot *build, bool built)
{
	struct probe p = {.kase = k, .build = build, .status = built ? PROBE_BUILT : PROBE_FAILED,
			  .dir = "/store/probes/x", .binary = "/store/probes/x/probe",
			  .reason = built ? NULL : "compile error"};
	return p;
}

static struct plan_subject probe_subject(const struct probe *p, enum elf_file_kind kind)
{
	struct plan_subject s = {.name = p->kase->name, .binary = p->binary, .probe = p,
				 .arch = arch_by_gnu(p->build->arch), .machine = p->build->arch,
				 .kind = kind};
	return s;
}

static struct plan_subject file_subject(const char *arch, enum elf_file_kind kind)
{
	struct plan_subject s = {.name = "app", .binary = "/home/u/app", .arch = arch_by_gnu(arch),
				 .machine = arch, .kind = kind};
	return s;
}

static const struct cell *find(const struct matrix *m, const char *method, const char *run)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->cells[i].plan.method->name, method) && !strcmp(m->cells[i].plan.run->name, run))
			return &m->cells[i];
	return NULL;
}

static bool reason_has(const struct cell *c, const char *words)
{
	return c && c->plan.skip_reason && strstr(c->plan.skip_reason, words);
}

/* A probe meets only sysroots of its architecture (the others are no
 * cell); a user's file meets every named one, and those of another
 * architecture say why they cannot run. */
static void arch_pairings_omitted_for_probes_explained_for_files(void)
{
	struct sysroot runs[] = {sysroot("x86", "x86_64", "2.36"),
				 sysroot("arm", "aarch64", "2.36")};
	struct sysroot host = sysroot("host", "x86_64", "2.36");
	struct probe p = probe(&hello, &runs[0], true);
	struct plan_subject s = probe_subject(&p, ELF_FILE_DYNAMIC_EXEC);
	const struct method *rs[] = {method_find("loader"), method_find("host")};
	struct plan_input in = {.subjects = &s, .n_subjects = 1, .methods = rs, .n_methods = 2,
				.runs = runs, .n_runs = 2, .host = &host};
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 2);
	TEST_VERIFY(find(&m, "loader", "x86") && !find(&m, "loader", "x86")->plan.skip_reason);
	TEST_VERIFY(!find(&m, "loader", "arm"));
	TEST_VERIFY(find(&m, "host", "host") && find(&m, "host", "host")->plan.probe);
	matrix_release(&m);

	struct plan_subject f = file_subject("x86_64", ELF_FILE_DYNAMIC_EXEC);
	in.subjects = &f;
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 3);
	TEST_VERIFY(reason_has(find(&m, "loader", "arm"), "sysroot arm is aarch64, the file is x86_64"));
	TEST_VERIFY(!find(&m, "loader", "x86")->plan.skip_reason);
	TEST_VERIFY(!find(&m, "loader", "x86")->plan.probe);
	TEST_COMPARE(emulator_calls, 0);
	matrix_release(&m);
}

/* A static executable runs only as it is: methods that swap the glibc
 * skip it, naming the glibc it carries when that is known. */
static void static_executables_skip_swapping_methods(void)
{
	struct sysroot run = sysroot("g31", "x86_64", "2.31"), host = sysroot("host", "x86_64", "2.36");
	struct probe p = probe(&hello, &run, true);
	struct plan_subject s[] = {probe_subject(&p, ELF_FILE_STATIC_EXEC),
				   file_subject("x86_64", ELF_FILE_STATIC_EXEC)};
	const struct method *rs[] = {method_find("loader"), method_find("host")};
	struct plan_input in = {.subjects = s, .n_subjects = 2, .methods = rs, .n_methods = 2,
				.runs = &run, .n_runs = 1, .host = &host};
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 4);
	TEST_VERIFY(reason_has(&m.cells[0], "static executable: it carries glibc 2.31"));
	TEST_VERIFY(!m.cells[1].plan.skip_reason && m.cells[1].plan.static_binary);
	TEST_COMPARE_STRING(m.cells[2].plan.skip_reason, PREDICT_STATIC_SKIP);
	TEST_VERIFY(!m.cells[3].plan.skip_reason && m.cells[3].plan.static_binary);
	matrix_release(&m);
}

/* Another machine's file runs under its emulator (asked once per
 * architecture for the whole plan), or is skipped naming the package. */
static void foreign_files_need_an_emulator(void)
{
	struct sysroot runs[] = {sysroot("arm-a", "aarch64", "2.36"),
				 sysroot("arm-b", "aarch64", "2.41")};
	struct sysroot host = sysroot("host", "x86_64", "2.36");
	struct probe p[] = {probe(&hello, &runs[0], true), probe(&hello, &runs[1], true)};
	struct plan_subject s[] = {probe_subject(&p[0], ELF_FILE_DYNAMIC_EXEC),
				   probe_subject(&p[1], ELF_FILE_DYNAMIC_EXEC)};
	const struct method *rs[] = {method_find("loader"), method_find("interp"), method_find("host")};
	struct plan_input in = {.subjects = s, .n_subjects = 2, .methods = rs, .n_methods = 3,
				.runs = runs, .n_runs = 2, .host = &host};
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 8);  /* 2 probes × 2 methods × 2 sysroots; host: none */
	TEST_COMPARE(emulator_calls, 1);
	for (size_t i = 0; i < m.n; i++)
		TEST_COMPARE_STRING(m.cells[i].plan.emulator, "/usr/bin/qemu-aarch64-static");
	matrix_release(&m);

	have_qemu = false;
	mach = machine();
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 8);
	for (size_t i = 0; i < m.n; i++)
		TEST_VERIFY(reason_has(&m.cells[i], "no qemu-aarch64-static here to run it"));
	have_qemu = true;
	matrix_release(&m);
}

/* In a tree of its architecture the kernel runs a foreign file
 * (binfmt_misc): asked once, and its answer is the skip reason. */
static void foreign_files_in_trees_need_binfmt(void)
{
	struct sysroot runs[] = {sysroot("arm", "aarch64", "2.36")};
	struct sysroot own[] = {sysroot("tree-glibc", "aarch64", "2.36")};
	struct sysroot host = sysroot("host", "x86_64", "2.36");
	struct rootfs trees[] = {{.name = "bookworm-arm", .arch = "aarch64"}};
	struct plan_subject f = file_subject("aarch64", ELF_FILE_DYNAMIC_EXEC);
	const struct method *rs[] = {method_find("container"), method_find("inject"),
				    method_find("toolbox")};
	struct plan_input in = {.subjects = &f, .n_subjects = 1, .methods = rs, .n_methods = 3,
				.runs = runs, .n_runs = 1, .host = &host, .trees = trees,
				.tree_glibc = own, .n_trees = 1};
	have_binfmt = false;
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 3);
	TEST_VERIFY(reason_has(find(&m, "container", "tree-glibc"), "no binfmt_misc entry for aarch64"));
	TEST_VERIFY(reason_has(find(&m, "inject", "arm"), "no binfmt_misc entry"));
	TEST_VERIFY(reason_has(find(&m, "toolbox", "arm"), "method toolbox runs programs of this"));
	TEST_COMPARE(binfmt_calls, 1);
	TEST_VERIFY(!find(&m, "inject", "arm")->plan.emulator);
	matrix_release(&m);
	have_binfmt = true;
}

/* The method that injects a probe's library: no cell for a case without
 * one, a skipped cell when the library did not build against run. */
static void probe_library_method(void)
{
	struct sysroot runs[] = {sysroot("a", "x86_64", "2.31"), sysroot("b", "x86_64", "2.36")};
	struct sysroot host = sysroot("host", "x86_64", "2.36"), own = sysroot("own", "x86_64", "2.36");
	struct rootfs tree = {.name = "t", .arch = "x86_64"};
	struct probe p[] = {probe(&hello, &runs[0], true), probe(&ext, &runs[0], true)};
	struct probe run_probes[] = {probe(&ext, &runs[0], true), probe(&ext, &runs[1], false)};
	struct plan_subject s[] = {probe_subject(&p[0], ELF_FILE_DYNAMIC_EXEC),
				   probe_subject(&p[1], ELF_FILE_DYNAMIC_EXEC)};
	const struct method *rs[] = {method_find("ldcache")};
	struct plan_input in = {.subjects = s, .n_subjects = 2, .methods = rs, .n_methods = 1,
				.runs = runs, .n_runs = 2, .host = &host, .trees = &tree,
				.tree_glibc = &own, .n_trees = 1, .run_probes = run_probes,
				.n_run_probes = 2};
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 2);
	TEST_COMPARE_STRING(m.cells[0].plan.subject, "ext");
	TEST_COMPARE_STRING(m.cells[0].plan.run_library, "/store/probes/x/" PROBE_LIBRARY);
	TEST_VERIFY(!m.cells[0].plan.skip_reason);
	TEST_VERIFY(reason_has(&m.cells[1], PROBE_LIBRARY " did not build against b"));
	TEST_COMPARE_STRING(m.cells[0].plan.extra_libdirs[0], "/store/probes/x");
	matrix_release(&m);
}

/* A probe that did not build is a cell saying so. */
static void unbuilt_probe(void)
{
	struct sysroot run = sysroot("a", "x86_64", "2.31"), host = sysroot("host", "x86_64", "2.36");
	struct probe p = probe(&hello, &run, false);
	struct plan_subject s;
	plan_subject_probe(&p, &s);
	const struct method *rs[] = {method_find("loader")};
	struct plan_input in = {.subjects = &s, .n_subjects = 1, .methods = rs, .n_methods = 1,
				.runs = &run, .n_runs = 1, .host = &host};
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 1);
	TEST_COMPARE_STRING(m.cells[0].plan.skip_reason, "probe not built: compile error");
	TEST_VERIFY(m.cells[0].plan.probe);
	TEST_COMPARE_STRING(m.cells[0].plan.binary, "/store/probes/x/probe");
	matrix_release(&m);
}

/* A user's shared object is loaded by a program: the user's, or
 * load-object built against the run sysroot; host methods run programs. */
static void shared_objects_are_loaded_by_a_program(void)
{
	struct sysroot runs[] = {sysroot("a", "x86_64", "2.31"), sysroot("b", "x86_64", "2.36")};
	struct sysroot host = sysroot("host", "x86_64", "2.36");
	struct probe loaders[] = {probe(&hello, &runs[0], true), probe(&hello, &runs[1], false)};
	struct plan_subject f = file_subject("x86_64", ELF_FILE_SHARED_OBJECT);
	char *args[] = {"ignored", NULL};
	char *lib[] = {"/opt/lib", NULL};
	const struct method *rs[] = {method_find("loader"), method_find("host")};
	struct plan_input in = {.subjects = &f, .n_subjects = 1, .methods = rs, .n_methods = 2,
				.runs = runs, .n_runs = 2, .host = &host, .args = args,
				.libdirs = lib, .expect_exit = 3, .loaders = loaders,
				.n_loaders = 2};
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 3);
	const struct cell *a = find(&m, "loader", "a");
	TEST_COMPARE_STRING(a->plan.binary, "/store/probes/x/probe");
	TEST_COMPARE_STRING(a->plan.loads, "/home/u/app");
	TEST_COMPARE_STRING(a->plan.args[0], "/home/u/app");
	TEST_VERIFY(!a->plan.args[1]);
	TEST_COMPARE_STRING(a->plan.extra_libdirs[0], "/opt/lib");
	TEST_COMPARE(a->plan.expect_exit, 3);
	TEST_VERIFY(reason_has(find(&m, "loader", "b"), "load-object did not build against b"));
	TEST_VERIFY(reason_has(find(&m, "host", "host"), "shared object: method host runs programs"));
	matrix_release(&m);

	char *hp[] = {"/usr/bin/node", "-e", "require(process.argv[1])", NULL};
	in.host_program = hp;
	plan_cells(&in, &mach, &m);
	const struct cell *h = find(&m, "host", "host");
	TEST_VERIFY(!h->plan.skip_reason);
	TEST_COMPARE_STRING(h->plan.binary, "/usr/bin/node");
	TEST_COMPARE_STRING(h->plan.args[1], "require(process.argv[1])");
	TEST_COMPARE_STRING(h->plan.args[2], "/home/u/app");
	matrix_release(&m);
}

/* options: the words of the options that shaped a cell, each cell those
 * that apply to it (its reproduce command): a program's --args, a shared
 * object's --host-program, the hook's for the methods that run one. */
static char *join(char *const *v)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_join(&b, v, " ");
	return strbuf_detach(&b);
}

static void each_cell_carries_the_options_that_shape_it(void)
{
	struct sysroot runs[] = {sysroot("a", "x86_64", "2.31")};
	struct sysroot host = sysroot("host", "x86_64", "2.36"), own = sysroot("own", "x86_64", "2.36");
	struct rootfs tree = {.name = "t", .arch = "x86_64"};
	struct plan_subject f[] = {file_subject("x86_64", ELF_FILE_DYNAMIC_EXEC),
				   file_subject("x86_64", ELF_FILE_SHARED_OBJECT)};
	f[1].name = "obj";
	char *hp[] = {"/usr/bin/node", NULL};
	char *every[] = {"--timeout", "5", NULL}, *program[] = {"--args", "x 'y z'", NULL};
	char *object[] = {"--host-program", "/usr/bin/node", NULL}, *hook[] = {"--hook", "/h", NULL};
	struct plan_words w = {.every = every, .program = program, .object = object, .hook = hook};
	const struct method *rs[] = {method_find("loader"), method_find("inject"),
				    method_find("container")};
	struct plan_input in = {.subjects = f, .n_subjects = 2, .methods = rs, .n_methods = 3,
				.runs = runs, .n_runs = 1, .host = &host, .trees = &tree,
				.tree_glibc = &own, .n_trees = 1, .host_program = hp, .words = &w};
	struct plan_machine mach = machine();
	struct matrix m = {0};
	plan_cells(&in, &mach, &m);
	TEST_COMPARE(m.n, 6);
	static const char *const want[][2] = {
		{"loader", "--args x 'y z' --timeout 5"},
		{"inject", "--args x 'y z' --timeout 5 --hook /h"},
		{"container", "--args x 'y z' --timeout 5"},
		{"loader", "--host-program /usr/bin/node --timeout 5"},
		{"inject", "--host-program /usr/bin/node --timeout 5 --hook /h"},
		{"container", "--host-program /usr/bin/node --timeout 5"},
	};
	for (size_t i = 0; i < m.n && i < 6; i++) {
		char *got = join(m.cells[i].plan.options);
		TEST_COMPARE_STRING(m.cells[i].plan.method->name, want[i][0]);
		TEST_COMPARE_STRING(got, want[i][1]);
		free(got);
	}
	matrix_release(&m);
	in.words = NULL;
	plan_cells(&in, &mach, &m);
	TEST_VERIFY(m.n == 6 && m.cells[0].plan.options && !m.cells[0].plan.options[0]);
	matrix_release(&m);
}

/* plan_cells under a filter that kills the process on any open, stat,
 * access, readlink, exec, fork, mkdir or unlink: a 2 × 4 × 3 plan
 * completes. */
static void planning_reads_nothing_and_spawns_nothing(void)
{
	struct sysroot runs[] = {sysroot("a", "x86_64", "2.31"), sysroot("b", "x86_64", "2.36"),
				 sysroot("c", "aarch64", "2.36")};
	struct sysroot host = sysroot("host", "x86_64", "2.36");
	struct probe p[] = {probe(&hello, &runs[0], true), probe(&hello, &runs[2], true)};
	struct plan_subject s[] = {probe_subject(&p[0], ELF_FILE_DYNAMIC_EXEC),
				   probe_subject(&p[1], ELF_FILE_DYNAMIC_EXEC)};
	const struct method *rs[] = {method_find("loader"), method_find("interp"),
				    method_find("rpath"), method_find("host")};
	struct plan_input in = {.subjects = s, .n_subjects = 2, .methods = rs, .n_methods = 4,
				.runs = runs, .n_runs = 3, .host = &host};
	struct plan_machine mach = machine();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 14, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 13, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, 12, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 11, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fork, 10, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_vfork, 9, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_access, 8, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_faccessat, 7, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_newfstatat, 6, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_statx, 5, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_readlink, 4, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_readlinkat, 3, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdir, 2, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unlink, 1, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		};
		struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(2);
		struct matrix m = {0};
		plan_cells(&in, &mach, &m);
		/* 2 cells per swapping method for each probe (its arch's
		 * sysroots: 2, then 1), host: the x86_64 probe only. */
		_exit(m.n == 3 * 2 + 3 * 1 + 1 ? 0 : 3);
	}
	int st;
	TEST_COMPARE(waitpid(pid, &st, 0), pid);
	TEST_VERIFY(WIFEXITED(st));
	TEST_COMPARE(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), 0);
}

int main(void)
{
	RUN_TEST(arch_pairings_omitted_for_probes_explained_for_files);
	RUN_TEST(static_executables_skip_swapping_methods);
	RUN_TEST(foreign_files_need_an_emulator);
	RUN_TEST(foreign_files_in_trees_need_binfmt);
	RUN_TEST(probe_library_method);
	RUN_TEST(unbuilt_probe);
	RUN_TEST(shared_objects_are_loaded_by_a_program);
	RUN_TEST(each_cell_carries_the_options_that_shape_it);
	RUN_TEST(planning_reads_nothing_and_spawns_nothing);
	TAP_END();
}

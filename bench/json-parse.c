/* The floor of any reader of a results document with json-c: read the
 * file, parse it into objects, free them (what `report` cannot avoid
 * before it builds a single grid).  bench/report.sh compiles it.
 *   json-parse FILE   prints the seconds taken */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: json-parse FILE\n");
		return 2;
	}
	double t = now();
	json_object *o = json_object_from_file(argv[1]);
	if (!o) {
		fprintf(stderr, "json-parse: %s: %s\n", argv[1], json_util_get_last_err());
		return 1;
	}
	json_object_put(o);
	printf("%.3f\n", now() - t);
	return 0;
}

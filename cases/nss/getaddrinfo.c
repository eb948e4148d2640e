/* Boundary: NSS "hosts".  getaddrinfo is @GLIBC_2.2.5, but resolving
 * "localhost" runs the hosts chain of nsswitch.conf: libnss_files.so.2 is
 * dlopened by glibc < 2.34 (built in from 2.34), libnss_dns or
 * libnss_myhostname may be too.  Loaded libnss objects are printed as
 * nss=<path>, or nss=builtin. */
#include "../common/probe.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int main(void)
{
	struct addrinfo hints, *res = NULL, *ai;
	char text[INET6_ADDRSTRLEN];
	int rc, count = 0;

	probe_report();
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo("localhost", NULL, &hints, &res);
	if (probe_report_objects("nss", "libnss") == 0)
		probe_kv("nss", "builtin");
	if (rc != 0)
		probe_fail("getaddrinfo(\"localhost\"): %s", gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		const void *addr;
		if (ai->ai_family == AF_INET)
			addr = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			addr = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(ai->ai_family, addr, text, sizeof(text)) == NULL)
			probe_fail("inet_ntop failed");
		probe_kv("addr", "%s", text);
		count++;
	}
	freeaddrinfo(res);
	if (count == 0)
		probe_fail("getaddrinfo(\"localhost\") returned no IPv4/IPv6 address");
	probe_kv("result", "%d-addresses", count);
	return 0;
}

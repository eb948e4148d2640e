/* Plugin for the tls probe: initialised and zero-initialised __thread
 * variables in a dlopened object (general-dynamic TLS, __tls_get_addr). */
int tls_bump(void);
int tls_initial(void);

static __thread int counter;
static __thread int seeded = 42;

int tls_bump(void)
{
	return ++counter;
}

int tls_initial(void)
{
	return seeded;
}

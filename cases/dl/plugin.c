/* Plugin for the dlopen probe: a shared object built against the same
 * sysroot as the probe.  It needs nothing beyond GLIBC_2.2.5 itself. */
const char *plugin_hello(void);

const char *plugin_hello(void)
{
	return "plugin-loaded";
}

/*
 * nothing: a program that returns 0 at once.  bench/boot.sh boots it
 * beside hello and the empty guest, so that what the kernel's boot and
 * exit cost is told apart from what hello's own work (a thread per CPU,
 * printf) costs.
 */
int
main(int argc, char **argv)
{
	return 0;
}

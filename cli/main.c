/* wijkcal: the organisers' command line (being written). */
#include <stdio.h>

int main(void)
{
	puts("wijkcal");
	return 0;
}

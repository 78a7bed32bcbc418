/* Wine 8 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng Rust's std calls for
 * random numbers on Windows; every Rust program stops at start-up without it. This
 * stand-in forwards to RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * Built with MinGW into the test Wine prefix only (scripts/windows/prefix); a real
 * Windows has the real DLL. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}

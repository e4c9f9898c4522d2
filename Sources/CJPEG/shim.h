// TurboJPEG, not classic libjpeg: its calls return error codes instead of longjmp-ing, so a
// corrupt file becomes a Swift error rather than a dead process.
#include <stddef.h>
#include <turbojpeg.h>

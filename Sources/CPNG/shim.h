// libpng's simplified API (png_image_*): it handles libpng's longjmp internally and returns 0 on
// failure, so Swift never sees a longjmp. The helpers below expose the compound macros that the
// Swift importer cannot read.
#include <png.h>

/// 8-bit RGBA, 4 bytes a pixel (PNG_FORMAT_RGBA).
static inline png_uint_32 cpng_format_rgba(void) { return PNG_FORMAT_RGBA; }
/// 8-bit RGB, 3 bytes a pixel (PNG_FORMAT_RGB).
static inline png_uint_32 cpng_format_rgb(void) { return PNG_FORMAT_RGB; }
/// 8-bit gray, 1 byte a pixel (PNG_FORMAT_GRAY).
static inline png_uint_32 cpng_format_gray(void) { return PNG_FORMAT_GRAY; }
/// 8-bit gray + alpha, 2 bytes a pixel (PNG_FORMAT_GA).
static inline png_uint_32 cpng_format_ga(void) { return PNG_FORMAT_GA; }
/// 16-bit linear RGB, 6 bytes a pixel (PNG_FORMAT_LINEAR_RGB): 16-bit files read without gamma
/// conversion or rounding to 8 bits by libpng.
static inline png_uint_32 cpng_format_linear_rgb(void) { return PNG_FORMAT_LINEAR_RGB; }
/// Set in png_image.format after png_image_begin_read when the file holds 16-bit samples.
static inline png_uint_32 cpng_format_flag_linear(void) { return PNG_FORMAT_FLAG_LINEAR; }
/// The version number png_image.version must hold.
static inline png_uint_32 cpng_image_version(void) { return PNG_IMAGE_VERSION; }
/// True when libpng reported an error (as opposed to success or a warning only).
static inline int cpng_image_failed(const png_image *image) { return PNG_IMAGE_FAILED(*image); }

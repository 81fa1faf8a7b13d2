// The .npy reader/writer of `gpusim launch`: files built by hand from the format description,
// every error it must name, round trips, and NumPy itself as the reference where installed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "tests/cli/launch_test_support.h"
#include "tools/launch/host_buffer.h"
#include "tools/launch/npy.h"

namespace {

using namespace gpusim::launch;
using namespace gpusim::test_support;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string npy_error(const std::vector<uint8_t>& bytes) {
  try {
    parse_npy(bytes, "bad.npy");
  } catch (const NpyError& e) {
    return e.what();
  }
  return "";
}

TEST(Npy, ReadsAHandBuiltVersion1File) {
  const std::vector<float> values = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  const NpyArray a = parse_npy(npy_v1(npy_dict("<f4", "(2, 3)"), as_bytes(values)), "a.npy");
  EXPECT_EQ(a.descr, "<f4");
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(from_bytes<float>(a.data), values);
}

TEST(Npy, ReadsVersion2And3HeadersAndOddSpellings) {
  // Version 2.0/3.0: a 4-byte header length. Double quotes, no trailing comma, Python 2 'L'.
  std::string header = "{\"descr\": \"|u1\", \"shape\": (3L,), \"fortran_order\": False}";
  while ((12 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  for (uint8_t major : {2, 3}) {
    std::vector<uint8_t> file = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0, static_cast<uint8_t>(header.size()), 0, 0, 0};
    file.insert(file.end(), header.begin(), header.end());
    file.insert(file.end(), {9, 8, 7});
    const NpyArray a = parse_npy(file, "v.npy");
    EXPECT_EQ(a.descr, "|u1");
    EXPECT_EQ(a.shape, (std::vector<uint64_t>{3}));
    EXPECT_EQ(a.data, (std::vector<uint8_t>{9, 8, 7}));
  }
  // A 0-d array holds one element; a shape with a zero extent holds none.
  EXPECT_EQ(parse_npy(npy_v1(npy_dict("<i8", "()"), as_bytes(std::vector<int64_t>{-5})), "s.npy").data.size(), 8u);
  EXPECT_TRUE(parse_npy(npy_v1(npy_dict("<f8", "(0, 4)"), {}), "z.npy").data.empty());
}

TEST(Npy, EveryMalformedFileIsNamedAndExplained) {
  const std::vector<uint8_t> four = as_bytes(std::vector<float>{1, 2, 3, 4});
  std::string e = npy_error({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(contains(e, "bad.npy: not an .npy file")) << e;
  // The magic and no more: truncated, not "not an .npy file" (an outside tester's 7-byte file).
  e = npy_error({0x93, 'N', 'U', 'M', 'P', 'Y', 1});
  EXPECT_TRUE(contains(e, "bad.npy: truncated .npy file: 7 bytes")) << e;
  std::vector<uint8_t> v4 = npy_v1(npy_dict("<f4", "(4,)"), four);
  v4[6] = 4;
  EXPECT_TRUE(contains(npy_error(v4), "unsupported .npy format version 4.0")) << npy_error(v4);
  e = npy_error(npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four));
  EXPECT_TRUE(contains(e, "bad.npy: the array is in Fortran order")) << e;
  e = npy_error(npy_v1(npy_dict("<f4", "(5,)"), four));
  EXPECT_TRUE(contains(e, "bad.npy: truncated data: shape (5,) of '<f4' needs 20 bytes, the file has 16")) << e;
  e = npy_error(npy_v1(npy_dict("<f4", "(3,)"), four));
  EXPECT_TRUE(contains(e, "4 unexpected bytes after the data")) << e;
  e = npy_error(npy_v1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", four));
  EXPECT_TRUE(contains(e, "structured dtype")) << e;
  e = npy_error(npy_v1(npy_dict(">f4", "(4,)"), four));
  EXPECT_TRUE(contains(e, "big-endian dtype '>f4'")) << e;
  e = npy_error(npy_v1("{'descr': '<f4', 'shape': (4,), }", four));
  EXPECT_TRUE(contains(e, "lacks 'fortran_order'")) << e;
  e = npy_error(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'extra': 'x', }", four));
  EXPECT_TRUE(contains(e, "unexpected key 'extra'")) << e;
  e = npy_error(npy_v1(npy_dict("<f4", "(4, x)"), four));
  EXPECT_TRUE(contains(e, "bad.npy: bad .npy header")) << e;
  e = npy_error(npy_v1(npy_dict("<f4", "(4294967296, 4294967296)"), four));
  EXPECT_TRUE(contains(e, "too large")) << e;
  std::vector<uint8_t> cut = npy_v1(npy_dict("<f4", "(4,)"), four);
  cut.resize(40);  // inside the header
  e = npy_error(cut);
  EXPECT_TRUE(contains(e, "bad.npy: truncated .npy file")) << e;
  e = npy_error(npy_v1(npy_dict("<U4", "(1,)"), four));
  EXPECT_TRUE(contains(e, "bad.npy: unsupported dtype '<U4'")) << e;
  e = npy_error(npy_v1(npy_dict("<c8", "(2,)"), four));
  EXPECT_TRUE(e.empty()) << "a simple dtype is read as bytes; the type check is the caller's: " << e;
}

TEST(Npy, EncodesThePaddedVersion1Layout) {
  const std::vector<int16_t> values = {-1, 2, -3, 4, -5, 6};
  const std::vector<uint8_t> file = encode_npy("<i2", {3, 2}, as_bytes(values));
  const NpyParts parts = split_npy_v1(file);
  ASSERT_FALSE(parts.header.empty());
  EXPECT_EQ(parts.header.back(), '\n');
  EXPECT_TRUE(contains(parts.header, "'descr': '<i2'")) << parts.header;
  EXPECT_TRUE(contains(parts.header, "'fortran_order': False")) << parts.header;
  EXPECT_TRUE(contains(parts.header, "'shape': (3, 2)")) << parts.header;
  EXPECT_EQ(from_bytes<int16_t>(parts.data), values);
  EXPECT_TRUE(contains(split_npy_v1(encode_npy("<f4", {7}, as_bytes(std::vector<float>(7)))).header, "(7,)"));

  const NpyArray back = parse_npy(file, "round.npy");  // and the reader takes it back
  EXPECT_EQ(back.shape, (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(from_bytes<int16_t>(back.data), values);
}

// A header over 65535 bytes needs format version 2.0 (4-byte length); numpy itself cannot load
// this one (at most 32 dimensions), so the preamble is checked against the format description.
TEST(Npy, LongHeadersUseVersion2) {
  const std::vector<uint64_t> shape(30000, 1);
  const std::vector<uint8_t> file = encode_npy("<u4", shape, as_bytes(std::vector<uint32_t>{42}));
  ASSERT_GT(file.size(), 12u);
  EXPECT_EQ(file[6], 2);
  EXPECT_EQ(file[7], 0);
  const size_t header = file[8] | (size_t(file[9]) << 8) | (size_t(file[10]) << 16) | (size_t(file[11]) << 24);
  EXPECT_GT(header, 65535u);
  EXPECT_EQ((12 + header) % 64, 0u);
  EXPECT_EQ(file.size(), 12 + header + 4);
  const NpyArray back = parse_npy(file, "long.npy");
  EXPECT_EQ(back.shape.size(), 30000u);
  EXPECT_EQ(from_bytes<uint32_t>(back.data), (std::vector<uint32_t>{42}));
}

TEST(Npy, BufferFilesCheckTheDtypeAndRawSizes) {
  TempDir dir;
  write_bytes(dir.file("d.npy"), npy_v1(npy_dict("<f8", "(2,)"), as_bytes(std::vector<double>{1, 2})));
  try {
    load_buffer_file(dir.file("d.npy"), ElementType::F32);
    ADD_FAILURE() << "an f8 file accepted as f32";
  } catch (const NpyError& e) {
    EXPECT_TRUE(contains(e.what(), "d.npy: dtype '<f8' does not match the argument's type f32 (expected '<f4')")) << e.what();
  }
  EXPECT_EQ(load_buffer_file(dir.file("d.npy"), ElementType::B64).bytes.size(), 16u);
  write_bytes(dir.file("raw.bin"), {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(load_buffer_file(dir.file("raw.bin"), ElementType::U16).shape, (std::vector<uint64_t>{3}));
  try {
    load_buffer_file(dir.file("raw.bin"), ElementType::F32);
    ADD_FAILURE() << "6 bytes accepted as f32 elements";
  } catch (const NpyError& e) {
    EXPECT_TRUE(contains(e.what(), "raw.bin: a raw file of 6 bytes is not a whole number of f32 elements")) << e.what();
  }
  try {
    load_buffer_file(dir.file("missing.npy"), ElementType::F32);
    ADD_FAILURE() << "a missing file accepted";
  } catch (const NpyError& e) {
    EXPECT_TRUE(contains(e.what(), "missing.npy: cannot open: No such file or directory")) << e.what();
  }
}

TEST(Npy, ComparesBuffersExactlyOrWithinATolerance) {
  const std::vector<float> a = {1.0f, 2.0f, NAN, 4.0f}, b = {1.0f, 2.0001f, NAN, 4.5f};
  BufferDifference d = compare_buffers(ElementType::F32, as_bytes(a), as_bytes(b), 0.0);
  EXPECT_EQ(d.elements, 4u);
  EXPECT_EQ(d.differing, 2u);
  EXPECT_EQ(d.first_index, 1u);
  EXPECT_EQ(d.first_a, "2");
  EXPECT_DOUBLE_EQ(d.max_abs_difference, 0.5);
  d = compare_buffers(ElementType::F32, as_bytes(a), as_bytes(b), 1e-3);  // 2 vs 2.0001 within 1e-3
  EXPECT_EQ(d.differing, 1u);
  EXPECT_EQ(d.first_index, 3u);
  const std::vector<int32_t> i = {-1, 5}, j = {-1, 6};
  d = compare_buffers(ElementType::S32, as_bytes(i), as_bytes(j), 0.5);  // integers are always exact
  EXPECT_EQ(d.differing, 1u);
  EXPECT_EQ(d.first_b, "6");
  EXPECT_EQ(tagged_output_path("out/c.npy", "cuda"), "out/c.cuda.npy");
  EXPECT_EQ(tagged_output_path("c", "cuda"), "c.cuda");
  EXPECT_EQ(format_element(ElementType::S8, as_bytes(std::vector<int8_t>{-7}).data()), "-7");
  EXPECT_EQ(format_element(ElementType::B16, as_bytes(std::vector<uint16_t>{0xbeef}).data()), "0xbeef");
}

// NumPy writes every dtype the reader accepts (format versions 1.0, 2.0 and 3.0); the reader's
// values must be the ones the script put there.
TEST(Npy, ReadsWhatNumpyWrites) {
  const std::string python = python_with_numpy();
  if (python.empty()) GTEST_SKIP() << "no python3 with numpy";
  TempDir dir;
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "np.save(d + '/f4.npy', (np.arange(12, dtype=np.float32) * 0.5 - 2).reshape(3, 4))\n"
      "np.save(d + '/i2.npy', -np.arange(5, dtype=np.int16))\n"
      "np.save(d + '/u1.npy', np.arange(250, 256, dtype=np.uint8))\n"
      "np.save(d + '/f2.npy', np.array([0.5, -1.0, 65504.0], dtype=np.float16))\n"
      "np.save(d + '/u8.npy', np.array([2**64 - 1, 3], dtype=np.uint64).reshape(1, 2, 1))\n"
      "np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.arange(3, dtype=np.int64), version=(2, 0))\n"
      "np.lib.format.write_array(open(d + '/v3.npy', 'wb'), np.arange(3, dtype=np.int64), version=(3, 0))\n";
  write_bytes(dir.file("write.py"), std::vector<uint8_t>(script.begin(), script.end()));
  ASSERT_EQ(std::system((python + " " + dir.file("write.py") + " " + dir.file("")).c_str()), 0);

  NpyArray a = read_npy_file(dir.file("f4.npy"));
  EXPECT_EQ(a.descr, "<f4");
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{3, 4}));
  const std::vector<float> f = from_bytes<float>(a.data);
  for (size_t k = 0; k < 12; ++k) EXPECT_EQ(f[k], static_cast<float>(k) * 0.5f - 2.0f) << k;
  EXPECT_EQ(from_bytes<int16_t>(read_npy_file(dir.file("i2.npy")).data), (std::vector<int16_t>{0, -1, -2, -3, -4}));
  a = read_npy_file(dir.file("u1.npy"));
  EXPECT_EQ(a.descr, "|u1");
  EXPECT_EQ(a.data, (std::vector<uint8_t>{250, 251, 252, 253, 254, 255}));
  EXPECT_EQ(from_bytes<uint16_t>(load_buffer_file(dir.file("f2.npy"), ElementType::F16).bytes),
            (std::vector<uint16_t>{0x3800, 0xbc00, 0x7bff}));  // IEEE binary16 encodings
  a = read_npy_file(dir.file("u8.npy"));
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{1, 2, 1}));
  EXPECT_EQ(from_bytes<uint64_t>(a.data), (std::vector<uint64_t>{~uint64_t(0), 3}));
  for (const char* v : {"v2.npy", "v3.npy"})
    EXPECT_EQ(from_bytes<int64_t>(read_npy_file(dir.file(v)).data), (std::vector<int64_t>{0, 1, 2})) << v;
}

// What the writer produces, NumPy loads with the right dtype, shape and values (the script
// exits non-zero otherwise).
TEST(Npy, NumpyReadsWhatTheWriterWrites) {
  const std::string python = python_with_numpy();
  if (python.empty()) GTEST_SKIP() << "no python3 with numpy";
  TempDir dir;
  std::vector<double> d(24);
  for (size_t k = 0; k < d.size(); ++k) d[k] = std::ldexp(static_cast<double>(k) - 3, -2);
  save_buffer_file(dir.file("f8.npy"), HostBuffer{ElementType::F64, {2, 3, 4}, as_bytes(d)});
  save_buffer_file(dir.file("i1.npy"), HostBuffer{ElementType::S8, {3}, as_bytes(std::vector<int8_t>{-128, 0, 127})});
  save_buffer_file(dir.file("u2.npy"), HostBuffer{ElementType::U16, {}, as_bytes(std::vector<uint16_t>{65535})});
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "a = np.load(d + '/f8.npy')\n"
      "assert a.dtype == np.float64 and a.shape == (2, 3, 4), (a.dtype, a.shape)\n"
      "assert (a.ravel() == (np.arange(24) - 3) / 4.0).all(), a\n"
      "b = np.load(d + '/i1.npy')\n"
      "assert b.dtype == np.int8 and list(b) == [-128, 0, 127], b\n"
      "c = np.load(d + '/u2.npy')\n"
      "assert c.dtype == np.uint16 and c.shape == () and c == 65535, c\n";
  write_bytes(dir.file("check.py"), std::vector<uint8_t>(script.begin(), script.end()));
  EXPECT_EQ(std::system((python + " " + dir.file("check.py") + " " + dir.file("")).c_str()), 0);
}

}  // namespace

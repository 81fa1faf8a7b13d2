// The PTX half of rdc_sass_only (see rdc_sass_only_main.cu).
__global__ void library_kernel(int* p) { p[32 + threadIdx.x] = 7; }
void launch_library_kernel(int* p) { library_kernel<<<1, 32>>>(p); }

// The one door to cdktf itself. Its modules import each other in a cycle that only its index loads in a
// working order (a deep import of terraform-element first fails with "Class extends value undefined"),
// and every @cdktf/provider-aws module requires that index anyway, so it costs nothing extra (~150 ms).
// The provider package is the expensive one: it is always imported by deep path, never its barrel.
export {
  DataResource,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  Fn,
  LocalBackend,
  S3Backend,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
  Testing,
  Token,
  type ITerraformDependable,
} from 'cdktf';

package dev.patchbay.server.spi;

/** The default {@link Authorizer}: the rights the credential itself carried. */
final class IdentityAuthorizer implements Authorizer {
  static final IdentityAuthorizer INSTANCE = new IdentityAuthorizer();

  private IdentityAuthorizer() {}

  @Override
  public boolean canRead(Identity identity, String docId) {
    return identity.access().canRead(docId);
  }

  @Override
  public boolean canWrite(Identity identity, String docId) {
    return identity.access().canWrite(docId);
  }
}

/**
 * The built-in authentication of the standalone server: JWT verification ({@code HS256} with a
 * shared secret, {@code RS256}/{@code ES256} with a PEM public key or a JWKS file) and a static
 * token file, chosen by {@link dev.patchbay.server.auth.AuthConfig} and built by {@link
 * dev.patchbay.server.auth.Authenticators}. Embedders implement {@link
 * dev.patchbay.server.spi.Authenticator} and {@link dev.patchbay.server.spi.Authorizer} instead.
 */
@NullMarked
package dev.patchbay.server.auth;

import org.jspecify.annotations.NullMarked;

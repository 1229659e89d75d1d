/*
 * SRTP (RFC 3711) and AES-GCM SRTP (RFC 7714) through libsrtp2, for the media
 * hot path: one call per packet that protects or unprotects it in place.
 * Node's crypto makes a cipher object, an IV, an output buffer and a tag per
 * packet (~4.5 us for 1,100 bytes with AES-128-GCM on this machine); libsrtp
 * does the same in ~0.9 us. The JavaScript side (src/media/native-srtp.ts)
 * falls back to werift's own SRTP when this addon is not built.
 *
 * createSession(profile, key, salt, outbound) -> session
 *   profile: 1 = AES_CM_128_HMAC_SHA1_80, 7 = AEAD_AES_128_GCM (the DTLS-SRTP
 *   profile ids, RFC 5764 4.1.2 / RFC 7714 14.2); outbound sessions protect,
 *   inbound ones unprotect; any SSRC.
 * protectRtp(session, buffer, length) -> new length   (buffer needs 16 spare bytes)
 * unprotectRtp(session, buffer, length) -> new length, or -1 when it fails authentication/replay
 * protectRtcp / unprotectRtcp likewise (RTCP needs 4 more spare bytes: the SRTCP index).
 */
#include <node_api.h>
#include <pthread.h>
#include <srtp2/srtp.h>
#include <string.h>

#define CHECK(call)                                                                   \
  do {                                                                                \
    if ((call) != napi_ok) {                                                          \
      napi_throw_error(env, NULL, "confab_srtp: N-API call failed: " #call);          \
      return NULL;                                                                    \
    }                                                                                 \
  } while (0)

static void finalize_session(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  srtp_dealloc((srtp_t)data);
}

static napi_value create_session(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "createSession(profile, key, salt, outbound)");
    return NULL;
  }
  int32_t profile;
  CHECK(napi_get_value_int32(env, argv[0], &profile));
  void *key;
  size_t key_len;
  void *salt;
  size_t salt_len;
  bool outbound;
  CHECK(napi_get_buffer_info(env, argv[1], &key, &key_len));
  CHECK(napi_get_buffer_info(env, argv[2], &salt, &salt_len));
  CHECK(napi_get_value_bool(env, argv[3], &outbound));

  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  if (profile == 1) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  } else if (profile == 7) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    napi_throw_range_error(env, NULL, "confab_srtp: unsupported SRTP profile");
    return NULL;
  }
  /* libsrtp takes the master key and the master salt as one string. */
  unsigned char master[64];
  if (key_len + salt_len > sizeof master) {
    napi_throw_range_error(env, NULL, "confab_srtp: key and salt too long");
    return NULL;
  }
  memcpy(master, key, key_len);
  memcpy(master + key_len, salt, salt_len);
  policy.key = master;
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  /* A window of 1,024 packets: retransmissions and reordering under load stay inside it. */
  policy.window_size = 1024;
  /* Retransmissions (NACK without RTX) protect a sequence number twice. */
  policy.allow_repeat_tx = 1;
  policy.next = NULL;

  srtp_t session;
  srtp_err_status_t status = srtp_create(&session, &policy);
  memset(master, 0, sizeof master);
  if (status != srtp_err_status_ok) {
    napi_throw_error(env, NULL, "confab_srtp: srtp_create failed");
    return NULL;
  }
  napi_value external;
  CHECK(napi_create_external(env, session, finalize_session, NULL, &external));
  return external;
}

typedef srtp_err_status_t (*srtp_op)(srtp_t, void *, int *);

static napi_value run(napi_env env, napi_callback_info info, srtp_op op, size_t trailer) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *session;
  void *data;
  size_t capacity;
  int32_t length;
  CHECK(napi_get_value_external(env, argv[0], &session));
  CHECK(napi_get_buffer_info(env, argv[1], &data, &capacity));
  CHECK(napi_get_value_int32(env, argv[2], &length));
  napi_value result;
  if (length < 0 || (size_t)length + trailer > capacity) {
    napi_throw_range_error(env, NULL, "confab_srtp: the buffer has no room for the SRTP trailer");
    return NULL;
  }
  int len = length;
  srtp_err_status_t status = op((srtp_t)session, data, &len);
  CHECK(napi_create_int32(env, status == srtp_err_status_ok ? len : -1, &result));
  return result;
}

static srtp_err_status_t protect_rtcp(srtp_t s, void *d, int *l) { return srtp_protect_rtcp(s, d, l); }
static srtp_err_status_t unprotect_rtcp(srtp_t s, void *d, int *l) { return srtp_unprotect_rtcp(s, d, l); }

static napi_value protect_rtp_fn(napi_env env, napi_callback_info info) { return run(env, info, srtp_protect, SRTP_MAX_TRAILER_LEN); }
static napi_value unprotect_rtp_fn(napi_env env, napi_callback_info info) { return run(env, info, srtp_unprotect, 0); }
static napi_value protect_rtcp_fn(napi_env env, napi_callback_info info) { return run(env, info, protect_rtcp, SRTP_MAX_TRAILER_LEN + 4); }
static napi_value unprotect_rtcp_fn(napi_env env, napi_callback_info info) { return run(env, info, unprotect_rtcp, 0); }

/*
 * libsrtp's crypto kernel is process-wide and srtp_init() fails when called a
 * second time, but the addon is loaded once per thread that uses it (each
 * media worker, and the main thread): initialise once per process. Sessions
 * are independent, so each thread protects and unprotects its own.
 */
static pthread_once_t srtp_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t srtp_init_status = srtp_err_status_fail;
static void init_srtp_once(void) { srtp_init_status = srtp_init(); }

static napi_value init(napi_env env, napi_value exports) {
  pthread_once(&srtp_once, init_srtp_once);
  if (srtp_init_status != srtp_err_status_ok) {
    napi_throw_error(env, NULL, "confab_srtp: srtp_init failed");
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"createSession", NULL, create_session, NULL, NULL, NULL, napi_default, NULL},
      {"protectRtp", NULL, protect_rtp_fn, NULL, NULL, NULL, napi_default, NULL},
      {"unprotectRtp", NULL, unprotect_rtp_fn, NULL, NULL, NULL, napi_default, NULL},
      {"protectRtcp", NULL, protect_rtcp_fn, NULL, NULL, NULL, napi_default, NULL},
      {"unprotectRtcp", NULL, unprotect_rtcp_fn, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

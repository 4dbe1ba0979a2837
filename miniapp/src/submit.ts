import { showToast } from 'vant';
import 'vant/es/toast/style/index';
import type { Ref } from 'vue';
import { ApiError, online } from './api';
import { i18n } from './i18n';

/** Returns a field error in the app's language when the server names the rule, else its message. */
function fieldMessage(error: ApiError): string {
  const { t, te } = i18n.global;
  const key = `validation.${error.violation?.rule}`;
  if (!error.violation || !te(key)) return error.message;
  return t(key, { limit: error.violation.limit, length: error.violation.length });
}

/**
 * Runs a form submission: clears the old field errors, refuses to send while offline, puts the
 * server's message for an invalid field under that field (`values.` prefix dropped), and shows
 * any other failure in a toast. Returns true when `send` succeeded.
 */
export async function submitForm(
  errors: Record<string, string>,
  sending: Ref<boolean>,
  send: () => Promise<void>,
): Promise<boolean> {
  const t = i18n.global.t;
  for (const key of Object.keys(errors)) delete errors[key];
  if (!online.value) {
    showToast(t('common.offlineAction'));
    return false;
  }
  sending.value = true;
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.field) {
      errors[error.field.replace(/^values\./, '')] = fieldMessage(error);
    } else if (error instanceof ApiError && error.code === 'offline') {
      showToast(t('common.offlineAction'));
    } else {
      showToast((error as Error).message);
    }
    return false;
  } finally {
    sending.value = false;
  }
}

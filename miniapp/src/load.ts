import { type Ref, ref, watch } from 'vue';
import { ApiError, apiGet, online } from './api';

/**
 * Loads an API path into reactive state, and loads it again when `path` changes or the
 * network comes back.
 */
export function useLoad<T>(path: Ref<string | null>, headers: Record<string, string> = {}) {
  const data = ref<T | null>(null) as Ref<T | null>;
  const stale = ref(false);
  const error = ref<ApiError | null>(null);
  const loading = ref(false);

  async function reload(): Promise<void> {
    const target = path.value;
    if (!target) return;
    loading.value = true;
    try {
      const result = await apiGet<T>(target, headers);
      data.value = result.data;
      stale.value = result.stale;
      error.value = null;
    } catch (caught) {
      error.value = caught instanceof ApiError ? caught : new ApiError(0, 'failed', String(caught));
    } finally {
      loading.value = false;
    }
  }

  watch(path, () => void reload(), { immediate: true });
  watch(online, (isOnline) => {
    if (isOnline && stale.value) void reload();
  });
  return { data, stale, error, loading, reload };
}

import { ref } from 'vue';
import { ApiError, apiGet, configureApi } from './api';

export interface Me {
  person: {
    id: string;
    name: string;
    employeeNo: string;
    role: 'engineer' | 'manager' | 'hr';
    region: { id: string; code: string; name: string } | null;
  };
  org: { slug: string; name: string; timezone: string };
  locale: 'zh-CN' | 'en';
  csrfToken: string;
}

/** The signed-in person, or null before sign-in. */
export const me = ref<Me | null>(null);

/** Loads the signed-in person; returns null without a session. */
export async function loadMe(): Promise<Me | null> {
  try {
    const { data } = await apiGet<Me>('/api/me');
    me.value = data;
    configureApi({ csrfToken: data.csrfToken, personId: data.person.id });
    return data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      me.value = null;
      return null;
    }
    throw error;
  }
}

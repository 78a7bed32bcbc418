use tauri::State;

use crate::error::IpcResult;
use crate::models::ProfileSummary;
use crate::state::AppState;

#[tauri::command]
pub fn list_profiles(state: State<'_, AppState>) -> IpcResult<Vec<ProfileSummary>> {
    let config = latchkey::Config::load(&state.paths)?;
    Ok(config.profiles().map(ProfileSummary::from).collect())
}
